using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Planning;
using static Autodiff.Engine.Report.HtmlText;

namespace Autodiff.Engine.Report;

/// <summary>One row of the per-layer table: everything the training graph owes to one line of the model file.</summary>
internal sealed record LayerRow(int? Line, string Name, string Ops, long Parameters, string Training, long MultiplyAccumulates, long BytesAtPeak, IReadOnlyList<string> Kernels)
{
    /// <summary>float32, int8, both, or — for a layer without parameters.</summary>
    public string Precision { get; init; } = "—";
}

/// <summary>
/// The per-layer table. A layer is a line of the model file: its forward nodes, the backward and
/// update nodes derived from them, its parameters and the arena bytes its tensors hold at the peak.
/// </summary>
internal static class LayerTable
{
    public static IReadOnlyList<LayerRow> Rows(TrainingGraph training, MemoryPlan plan, KernelSelection? kernels)
    {
        var graph = training.Graph;
        var nodes = plan.Steps.SelectMany(s => s.Nodes).ToList();

        // Each buffer alive at the peak counts once, for the line of the first tensor stored in it.
        var peakBytes = new Dictionary<int, long>();
        foreach (var group in plan.TensorBuffers.GroupBy(kv => kv.Value).Where(g => g.Key.LiveAt(plan.PeakStep)))
        {
            var line = group.Select(kv => kv.Key).OrderBy(t => t.Id).First().Source?.Line ?? 0;
            peakBytes[line] = peakBytes.GetValueOrDefault(line) + group.Key.Bytes;
        }

        // Grouped by line once: filtering every node per line made deep models' reports quadratic
        // (8,000 layers: 40 s).
        static int LineOf(Graph.Node n) => n.Source?.Line ?? 0;
        static int TensorLine(Tensor t) => t.Source?.Line ?? 0;
        var nodesByLine = nodes.ToLookup(LineOf);
        var trainableByLine = graph.Parameters.ToLookup(TensorLine);
        var frozenByLine = graph.FrozenParameters.ToLookup(TensorLine);
        var lines = nodes.Select(LineOf)
            .Concat(graph.Tensors.Where(t => t.Role is TensorRole.Parameter or TensorRole.FrozenParameter).Select(TensorLine))
            .Concat(peakBytes.Keys).Distinct().Order().ToList();
        var rows = new List<LayerRow>();
        foreach (var line in lines)
        {
            var mine = nodesByLine[line].ToList();
            var forward = mine.Where(n => n.Phase == NodePhase.Forward).ToList();
            var trainable = trainableByLine[line].Sum(t => (long)t.Shape.Count);
            var frozenFloat = frozenByLine[line].Sum(t => (long)t.Shape.Count);
            var int8 = mine.Select(n => n.Op).OfType<IFlashData>().Sum(d => d.ParameterCount);
            var frozen = frozenFloat + int8;
            var precision = int8 > 0 && trainable + frozenFloat > 0 ? "int8 + float32" : int8 > 0 ? "int8" : trainable + frozen > 0 ? "float32" : "—";
            var name = forward.LastOrDefault(n => n.Output is not null)?.Output!.Name
                       ?? (mine.Any(n => n.Phase == NodePhase.Update) ? "optimizer" : mine.FirstOrDefault()?.Op.Name ?? "parameters");
            var ops = string.Join(", ", (forward.Count > 0 ? forward : mine).Select(n => n.Op.Describe()).Distinct());
            var training_ = trainable > 0 && frozen > 0 ? "trainable + frozen" : trainable > 0 ? "trainable" : frozen > 0 ? "frozen" : "—";
            var families = mine.Select(n => n.Op.KernelFamily).OfType<string>().Distinct().Order(StringComparer.Ordinal);
            var kernelText = families.Select(f => KernelText(f, kernels)).ToList();
            rows.Add(new LayerRow(line == 0 ? null : line, name, ops, trainable + frozen, training_,
                mine.Sum(n => n.Op.MultiplyAccumulates(n)), peakBytes.GetValueOrDefault(line), kernelText) { Precision = precision });
        }
        return rows;
    }

    private static string KernelText(string family, KernelSelection? kernels)
    {
        if (kernels is null) return $"{family}: not chosen (over budget)";
        var choice = kernels.Of(family) ?? KernelSelection.Portable;
        var calls = kernels.CmsisCalls.TryGetValue(family, out var c) && c.Count > 0 ? " (" + string.Join("; ", c.Select(kv => $"{kv.Key} = {kv.Value}")) + ")" : "";
        return $"{family}: {choice}{calls}";
    }

    public static string Write(TrainingGraph training, MemoryPlan plan, KernelSelection? kernels)
    {
        var rows = Rows(training, plan, kernels);
        var sb = new StringBuilder();
        sb.Append("<table class=\"layers\">\n<thead><tr><th>model line</th><th>layer</th><th>ops</th><th>parameters</th><th>training</th><th>precision</th>" +
                  "<th>MACs per step</th><th>bytes at peak</th><th>kernels (family: implementation)</th></tr></thead>\n<tbody>\n");
        foreach (var r in rows)
        {
            sb.Append($"<tr data-line=\"{r.Line ?? 0}\"><td>{(r.Line is { } l ? l.ToString() : "—")}</td><td>{Escape(r.Name)}</td><td>{Escape(r.Ops)}</td>" +
                      $"<td class=\"num\">{r.Parameters:N0}</td><td class=\"{(r.Training.Contains("frozen") ? "frozen-text" : "")}\">{r.Training}</td><td>{r.Precision}</td>" +
                      $"<td class=\"num\">{r.MultiplyAccumulates:N0}</td><td class=\"num\">{r.BytesAtPeak:N0}</td>" +
                      $"<td>{string.Join("<br/>", r.Kernels.Select(Escape))}</td></tr>\n");
        }
        sb.Append($"<tr class=\"total\"><td></td><td>total</td><td></td><td class=\"num\">{rows.Sum(r => r.Parameters):N0}</td><td></td><td></td>" +
                  $"<td class=\"num\">{rows.Sum(r => r.MultiplyAccumulates):N0}</td><td class=\"num\">{rows.Sum(r => r.BytesAtPeak):N0}</td><td></td></tr>\n");
        sb.Append("</tbody>\n</table>\n");
        return sb.ToString();
    }
}
