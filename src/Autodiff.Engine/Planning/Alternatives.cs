using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Lowering;
using Autodiff.Engine.Model;

namespace Autodiff.Engine.Planning;

/// <summary>
/// For a model over budget, plans the changes a firmware engineer would try — batch 1, plain SGD,
/// freezing the largest layer, a board with more RAM — and keeps the ones that fit. Each variant is
/// another model, so it is lowered and planned again; the model as written comes in lowered and planned.
/// </summary>
internal static class Alternatives
{
    public static IReadOnlyList<string> ThatFit(ModelSpec spec, TrainingGraph training, long neededBytes, BoardSpec board, Budget budget,
        CompileRequest request, PlanOptions options)
    {
        var fits = new List<string>();
        void Try(string label, ModelSpec variant)
        {
            var arena = ArenaOf(variant, options);
            if (arena is { } bytes && bytes <= budget.Bytes) fits.Add($"{label} ({SizeText.Exact(bytes)})");
        }

        if (spec.Batch.Value > 1) Try("batch: 1", spec with { Batch = spec.Batch with { Value = 1 } });
        if (spec.Optimizer is not SgdSpec { Momentum: 0 })
            Try("optimizer sgd without momentum", spec with { Optimizer = new SgdSpec(spec.Optimizer.Lr, 0, 0, false, spec.Optimizer.WeightDecay, spec.Optimizer.Schedule, spec.Optimizer.Args, spec.Optimizer.Location) });

        // Freezing the layer with the most parameters frees the most; try layers in that order.
        var parameterCount = ParameterCounts(spec, training);
        var largestFirst = spec.Layers.Where(l => l.HasParameters && l.Trainable).OrderByDescending(l => parameterCount.GetValueOrDefault(l.Index));
        foreach (var layer in largestFirst)
        {
            var frozen = spec with { Layers = spec.Layers.Select(l => l == layer ? l with { Trainable = false } : l).ToArray() };
            if (ArenaOf(frozen, options) is { } bytes && bytes <= budget.Bytes)
            {
                fits.Add($"trainable: false on layer '{layer.DisplayName}' ({SizeText.Exact(bytes)})");
                break;
            }
        }

        if (request.Board.Directory is { } dir && Path.GetDirectoryName(dir) is { } boardsRoot)
        {
            var bigger = BoardCatalog.ListBoards([boardsRoot])
                .Select(name => BoardCatalog.Load(boardsRoot, name, new DiagnosticBag()))
                .Where(b => b is not null && b.Name != board.Name && b.DefaultBudgetBytes is null && b.BudgetBytes() >= neededBytes)
                .Select(b => b!.Name).ToArray();
            if (bigger.Length > 0) fits.Add($"a board with more RAM ({string.Join(", ", bigger)})");
        }
        return fits;
    }

    private static long? ArenaOf(ModelSpec spec, PlanOptions options)
    {
        var training = ModelLowering.Lower(spec, new DiagnosticBag());
        return training is null ? null : MemoryPlanner.Plan(training, options).ArenaBytes;
    }

    /// <summary>Trainable parameter elements per layer index, read off the lowered graph by parameter source.</summary>
    private static Dictionary<int, long> ParameterCounts(ModelSpec spec, TrainingGraph training) =>
        spec.Layers.ToDictionary(l => l.Index, l => training.Graph.Parameters
            .Where(p => p.Source == l.Location).Sum(p => (long)p.Shape.Count));
}
