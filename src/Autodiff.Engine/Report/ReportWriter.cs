using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Planning;
using static Autodiff.Engine.Report.HtmlText;

namespace Autodiff.Engine.Report;

/// <summary>
/// Writes <c>NAME.report.html</c> (one self-contained XHTML-compatible page: inline CSS and SVG, no
/// script, nothing fetched) and <c>NAME.dot</c>. The page holds only what the model and its settings
/// decide, never a time or a folder of this machine, so the same model gives the same bytes.
/// </summary>
public static class ReportWriter
{
    public static string HtmlFileName(string model) => model + ".report.html";
    public static string DotFileName(string model) => model + ".dot";

    /// <param name="kernels">The kernels chosen; null when the plan is over budget and none were chosen.</param>
    /// <param name="modelPath">The model file; only its name (no folder) goes into the report.</param>
    public static IReadOnlyList<GeneratedFile> Files(TrainingGraph training, MemoryPlan plan, BoardSpec board, Budget budget,
        KernelSelection? kernels, string modelPath)
    {
        // Numbers are formatted with the current culture; the report must not depend on the user's.
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        try
        {
            return
            [
                new(HtmlFileName(training.Name), Html(training, plan, board, budget, kernels, Path.GetFileName(modelPath))),
                new(DotFileName(training.Name), DotWriter.Write(training)),
            ];
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    private static string Html(TrainingGraph training, MemoryPlan plan, BoardSpec board, Budget budget, KernelSelection? kernels, string modelFile)
    {
        var name = Escape(training.Name);
        var over = plan.ArenaBytes > budget.Bytes;
        var macs = plan.Steps.SelectMany(s => s.Nodes).Sum(n => n.Op.MultiplyAccumulates(n));
        var nodes = training.Graph.Nodes;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        sb.Append($"<title>Autodiff report: {name}</title>\n<style>\n{Css}{MemoryMapSvg.CategoryCss}</style>\n</head>\n<body>\n");
        sb.Append($"<h1>Autodiff report: {name}</h1>\n");
        sb.Append($"<p class=\"summary\">Model file <code>{Escape(modelFile)}</code> · board <b>{Escape(board.Name)}</b> ({board.RamBytes:N0} B RAM) · " +
                  $"budget {budget.Bytes:N0} B · arena <b>{plan.ArenaBytes:N0} B</b> · lower bound {plan.LowerBoundBytes:N0} B (peak at step {plan.PeakStep}) · " +
                  $"{plan.Steps.Count} schedule steps · {macs:N0} multiply-accumulates per training step · batch {training.Batch}</p>\n");
        if (over)
            sb.Append($"<p class=\"over\">Over budget (AD3001): the plan needs {plan.ArenaBytes:N0} B but the budget is {budget.Bytes:N0} B ({Escape(budget.Explanation)}), " +
                      $"over by {plan.ArenaBytes - budget.Bytes:N0} B. No C was generated; this is the plan that would have been placed.</p>\n");
        sb.Append("<nav><a href=\"#graph\">training graph</a> · <a href=\"#memory\">memory map</a> · <a href=\"#layers\">layers</a></nav>\n");

        sb.Append("<h2 id=\"memory\">Memory map</h2>\n");
        sb.Append("<p>Each rectangle is a buffer of the arena: across, the schedule steps it is alive; up, its offset and size. Hover for the tensor.</p>\n");
        sb.Append("<p class=\"legend\">");
        foreach (var (category, label, _) in MemoryMapSvg.Categories)
            sb.Append($"<span class=\"swatch {MemoryMapSvg.CssClass(category)}\"></span>{label} ({plan.PeakByCategory[category]:N0} B at peak) ");
        sb.Append("<span class=\"key-line peak-key\"></span>peak step <span class=\"key-line bound-key\"></span>lower bound");
        if (plan.ArenaBytes != plan.LowerBoundBytes) sb.Append(" <span class=\"key-line arena-key\"></span>arena end");
        sb.Append(MemoryMapSvg.ShowsBudget(plan, budget)
            ? " <span class=\"key-line budget-key\"></span>budget"
            : $" · the budget ({budget.Bytes:N0} B) is off the chart, {(double)budget.Bytes / Math.Max(plan.ArenaBytes, 1):0.#}× the arena");
        sb.Append("</p>\n<div class=\"scroll\">\n");
        sb.Append(MemoryMapSvg.Write(plan, budget));
        sb.Append("</div>\n");

        sb.Append("<h2 id=\"layers\">Layers</h2>\n");
        sb.Append("<p>One row per model-file line: its parameters, the multiply-accumulates of its forward, backward and update nodes per training step, " +
                  "the arena bytes its tensors hold at the peak, and the kernels that run it.</p>\n");
        sb.Append(LayerTable.Write(training, plan, kernels));

        sb.Append("<h2 id=\"graph\">Training graph</h2>\n");
        sb.Append($"<p>{nodes.Count(n => n.Phase == NodePhase.Forward)} forward, {nodes.Count(n => n.Phase == NodePhase.Backward)} backward and " +
                  $"{nodes.Count(n => n.Phase == NodePhase.Update)} update nodes; each box names its op, output shape and model-file line. Hover for details.</p>\n");
        var boxes = GraphLayout.BoxCount(training);
        if (boxes > GraphLayout.MaxBoxes)
        {
            sb.Append($"<p class=\"note\">The graph has {boxes} boxes, more than the {GraphLayout.MaxBoxes} the build lays out (the layout takes time that grows " +
                      $"faster than the graph). {HtmlText.Escape(DotFileName(training.Name))} beside this report draws it with Graphviz: " +
                      $"<code>dot -Tsvg {HtmlText.Escape(DotFileName(training.Name))} -o graph.svg</code></p>\n</body>\n</html>\n");
            return sb.ToString();
        }
        sb.Append("<p class=\"legend\"><span class=\"swatch forward\"></span>forward <span class=\"swatch backward\"></span>backward <span class=\"swatch update\"></span>update " +
                  "<span class=\"swatch leafkey\"></span>input, target, parameter or state <span class=\"swatch frozenkey\"></span>frozen</p>\n<div class=\"scroll\">\n");
        sb.Append(GraphSvg.Write(training));
        sb.Append("</div>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>The page's style; the firmware report shares it. Category colours come from <see cref="MemoryMapSvg.CategoryCss"/>.</summary>
    internal const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #222; background: #fff; }
        h1 { font-size: 22px; margin: 0 0 8px 0; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
        .summary { font-size: 14px; } .over { background: #fde2e2; border: 1px solid #e15759; padding: 8px; font-weight: bold; }
        .scroll { overflow: auto; border: 1px solid #eee; }
        .legend { font-size: 13px; } .swatch { display: inline-block; width: 14px; height: 14px; margin: 0 4px 0 10px; vertical-align: middle; border: 1px solid #888; }
        .key-line { display: inline-block; width: 22px; height: 0; margin: 0 4px 3px 10px; vertical-align: middle; border-top: 2px dashed #000; }
        .peak-key { border-top-color: #d62728; } .bound-key { border-top-color: #111; } .arena-key { border-top-color: #777; } .budget-key { border-top-color: #e15759; border-top-style: solid; }
        rect.buffer { stroke: #fff; stroke-width: 0.5; fill-opacity: 0.85; } rect.buffer:hover { fill-opacity: 1; stroke: #000; }
        rect.plot { fill: #fafafa; stroke: #999; }
        .tick { font-size: 10px; fill: #555; } .axis { font-size: 12px; fill: #333; } .mark { font-size: 11px; fill: #111; }
        line.peak { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 5 3; } line.lower-bound { stroke: #111; stroke-width: 1.5; stroke-dasharray: 6 3; }
        line.arena { stroke: #777; stroke-dasharray: 2 2; } line.budget { stroke: #e15759; stroke-width: 2; } .budget-text { fill: #c0392b; font-weight: bold; }
        table.layers { border-collapse: collapse; font-size: 13px; } table.layers th, table.layers td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
        table.layers th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; } tr.total { font-weight: bold; } .frozen-text { color: #666; font-style: italic; }
        svg.graph text { font-size: 11px; font-family: ui-monospace, Menlo, Consolas, monospace; } svg.graph .op { font-weight: bold; }
        path.edge { fill: none; stroke: #777; stroke-width: 1; } path.edge:hover { stroke: #000; stroke-width: 2; } .arrowhead { fill: #777; }
        g.node rect { stroke: #555; } g.forward rect, .swatch.forward { fill: #dbeafe; background: #dbeafe; }
        g.backward rect, .swatch.backward { fill: #fde2e2; background: #fde2e2; } g.update rect, .swatch.update { fill: #ece0fb; background: #ece0fb; }
        g.frozen rect { stroke-dasharray: 5 3; stroke: #333; stroke-width: 1.5; }
        g.leaf rect, .swatch.leafkey { fill: #fff; background: #fff; stroke: #999; } g.leaf.frozen rect, .swatch.frozenkey { fill: #d9d9d9; background: #d9d9d9; stroke-dasharray: 4 2; }
        g.node:hover rect, g.leaf:hover rect { stroke: #000; stroke-width: 2; }

        """;
}
