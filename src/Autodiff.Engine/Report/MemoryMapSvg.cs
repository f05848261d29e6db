using System.Globalization;
using System.Text;
using Autodiff.Engine.Planning;
using static Autodiff.Engine.Report.HtmlText;

namespace Autodiff.Engine.Report;

/// <summary>
/// The memory map: schedule step across, arena offset up, one rectangle per buffer of the plan,
/// coloured by category, with the peak step, the lower bound, the arena end and the budget marked.
/// Each rectangle carries its plan values as data attributes so tests (and curious users) can read them back.
/// </summary>
internal static class MemoryMapSvg
{
    private const double Left = 90, Top = 20, PlotWidth = 1000, PlotHeight = 420, Bottom = 40;

    public static readonly IReadOnlyList<(MemoryCategory Category, string Name, string Colour)> Categories =
    [
        (MemoryCategory.Parameters, "parameters", "#4e79a7"),
        (MemoryCategory.OptimizerState, "optimizer state", "#b07aa1"),
        (MemoryCategory.Activations, "activations", "#59a14f"),
        (MemoryCategory.Gradients, "gradients", "#e15759"),
        (MemoryCategory.Scratch, "scratch", "#f28e2b"),
    ];

    public static string CssClass(MemoryCategory c) => "cat-" + c.ToString().ToLowerInvariant();

    public static string CategoryName(MemoryCategory c) => Categories.Single(k => k.Category == c).Name;

    /// <summary>The category colours as CSS rules (fill for the SVG, background for legend swatches), from <see cref="Categories"/> alone.</summary>
    public static string CategoryCss { get; } =
        string.Concat(Categories.Select(c => $".{CssClass(c.Category)} {{ fill: {c.Colour}; background: {c.Colour}; }}\n"));

    /// <summary>
    /// The budget is drawn when it is near the plan (over budget, or within a factor of two);
    /// a budget many times the arena (a host's gigabytes) would squash the picture to a line.
    /// </summary>
    public static bool ShowsBudget(MemoryPlan plan, Budget budget) => budget.Bytes > 0 && budget.Bytes <= 2 * Math.Max(plan.ArenaBytes, 1);

    public static string Write(MemoryPlan plan, Budget budget)
    {
        var steps = Math.Max(plan.Steps.Count, 1);
        var showBudget = ShowsBudget(plan, budget);
        var top = Math.Max(Math.Max(plan.ArenaBytes, plan.LowerBoundBytes), 1);
        if (showBudget) top = Math.Max(top, budget.Bytes);
        var stepWidth = PlotWidth / steps;
        double X(double step) => Left + step * stepWidth;
        double Y(double offset) => Top + PlotHeight - offset / top * PlotHeight;
        string N(double v) => GraphLayout.Text(v);

        var sb = new StringBuilder();
        var width = Left + PlotWidth + 20;
        var height = Top + PlotHeight + Bottom;
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"memory-map\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" data-steps=\"{plan.Steps.Count}\" data-arena=\"{plan.ArenaBytes}\" data-lower-bound=\"{plan.LowerBoundBytes}\" data-peak-step=\"{plan.PeakStep}\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(Left)}\" y=\"{N(Top)}\" width=\"{N(PlotWidth)}\" height=\"{N(PlotHeight)}\" class=\"plot\"/>\n");

        // Axes: a few offset ticks, and step ticks every so many steps.
        for (var i = 0; i <= 4; i++)
        {
            var offset = top * i / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left - 6)}\" y=\"{N(Y(offset) + 4)}\" class=\"tick\" text-anchor=\"end\">{Escape(SizeText.Bytes((long)offset))}</text>\n");
        }
        var every = Math.Max(1, (int)Math.Ceiling(steps / 20.0));
        for (var s = 0; s < steps; s += every)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(s + 0.5))}\" y=\"{N(Top + PlotHeight + 14)}\" class=\"tick\" text-anchor=\"middle\">{s}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left + PlotWidth / 2)}\" y=\"{N(Top + PlotHeight + 32)}\" class=\"axis\" text-anchor=\"middle\">schedule step</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{N(Top + PlotHeight / 2)}\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(-90 14 {N(Top + PlotHeight / 2)})\">arena offset</text>\n");

        foreach (var b in plan.Buffers.OrderBy(b => b.Id))
        {
            var x = X(b.FirstStep);
            var w = (b.LastStep - b.FirstStep + 1) * stepWidth;
            var y = Y(b.Offset + b.Bytes);
            var h = Math.Max(Y(b.Offset) - y, 0.5);
            var name = CategoryName(b.Category);
            sb.Append(
                $"<rect class=\"buffer {CssClass(b.Category)}\" x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(w)}\" height=\"{N(h)}\" " +
                $"data-buffer=\"{b.Id}\" data-offset=\"{b.Offset}\" data-bytes=\"{b.Bytes}\" data-first=\"{b.FirstStep}\" data-last=\"{b.LastStep}\" " +
                $"data-category=\"{Escape(name)}\" data-label=\"{Escape(b.Label)}\">" +
                $"<title>{Escape(b.Label)} ({Escape(name)}): offset {b.Offset}, {b.Bytes} B, steps {b.FirstStep}–{b.LastStep}</title></rect>\n");
        }

        var peakX = X(plan.PeakStep + 0.5);
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"peak\" x1=\"{N(peakX)}\" y1=\"{N(Top)}\" x2=\"{N(peakX)}\" y2=\"{N(Top + PlotHeight)}\"><title>peak: step {plan.PeakStep}, {plan.LowerBoundBytes} B alive</title></line>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(peakX + 4)}\" y=\"{N(Top + 12)}\" class=\"mark\">peak (step {plan.PeakStep})</text>\n");
        HorizontalLine(sb, "lower-bound", Y(plan.LowerBoundBytes), $"lower bound {SizeText.Bytes(plan.LowerBoundBytes)}", "end");
        if (plan.ArenaBytes != plan.LowerBoundBytes)
            HorizontalLine(sb, "arena", Y(plan.ArenaBytes), $"arena {SizeText.Bytes(plan.ArenaBytes)}", "start");
        if (showBudget)
            HorizontalLine(sb, "budget", Y(budget.Bytes), $"budget {SizeText.Bytes(budget.Bytes)}", "middle");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void HorizontalLine(StringBuilder sb, string cssClass, double y, string label, string anchor)
    {
        var x = anchor switch { "end" => Left + PlotWidth - 4, "start" => Left + 4, _ => Left + PlotWidth / 2 };
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"{cssClass}\" x1=\"{GraphLayout.Text(Left)}\" y1=\"{GraphLayout.Text(y)}\" x2=\"{GraphLayout.Text(Left + PlotWidth)}\" y2=\"{GraphLayout.Text(y)}\"><title>{Escape(label)}</title></line>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{GraphLayout.Text(x)}\" y=\"{GraphLayout.Text(y - 4)}\" class=\"mark {cssClass}-text\" text-anchor=\"{anchor}\">{Escape(label)}</text>\n");
    }
}
