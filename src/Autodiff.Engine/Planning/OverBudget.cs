using Autodiff.Engine.Boards;

namespace Autodiff.Engine.Planning;

/// <summary>
/// The AD3001 message for a plan that does not fit: by how much, what takes the space, and which
/// changes would fit (each alternative was planned for real by the caller).
/// </summary>
public static class OverBudget
{
    public const string Code = "AD3001";

    public static string Message(string model, BoardSpec board, Budget budget, MemoryPlan plan, IReadOnlyList<string> wouldFit)
    {
        var peak = plan.PeakByCategory;
        var takes = string.Join(", ", peak.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value)
            .Select(kv => $"{Label(kv.Key)} {SizeText.Exact(kv.Value)}"));
        var fit = wouldFit.Count == 0 ? "No single change found that fits; consider a smaller model" : "Would fit: " + string.Join("; ", wouldFit);
        return $"model '{model}' needs {SizeText.Exact(plan.ArenaBytes)} of RAM but the budget on board '{board.Name}' is {SizeText.Exact(budget.Bytes)} " +
               $"({budget.Explanation}): over by {SizeText.Exact(plan.ArenaBytes - budget.Bytes)}. Space at the peak: {takes}. {fit}.";
    }

    private static string Label(MemoryCategory c) => c switch
    {
        MemoryCategory.Parameters => "parameters",
        MemoryCategory.Gradients => "gradients",
        MemoryCategory.OptimizerState => "optimizer state",
        MemoryCategory.Activations => "activations",
        _ => "scratch",
    };
}
