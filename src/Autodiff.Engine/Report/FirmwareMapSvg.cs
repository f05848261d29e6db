using System.Globalization;
using System.Text;
using Autodiff.Engine.Planning;
using static Autodiff.Engine.Report.HtmlText;

namespace Autodiff.Engine.Report;

/// <summary>
/// The firmware-wide memory map: the board's whole RAM, address up, to scale. The image's blocks
/// (.data, .bss, other RAM sections, the stack, free RAM) span the width; each model's arena sits at its
/// linked address with its buffers inside, drawn as in the model's own memory map (that model's schedule
/// steps across, category colours from <see cref="MemoryMapSvg"/>). Labels beside the plot name every
/// block, since small arenas are thin at the scale of the whole RAM; every shape has a hover title.
/// Addresses and sizes are also data attributes, so tests can check the picture against the image.
/// </summary>
internal static class FirmwareMapSvg
{
    private const double Left = 96, Top = 24, PlotWidth = 560, PlotHeight = 640, Bottom = 24;
    private const double LabelGap = 28, LabelWidth = 420, LabelLine = 14;

    public static string Hex(long address) => "0x" + address.ToString("x8", CultureInfo.InvariantCulture);

    public static string KindClass(RamBlockKind kind) => "kind-" + kind.ToString().ToLowerInvariant();

    /// <summary>The arena is drawn when the image has its symbol and places it inside the board's RAM.</summary>
    public static bool IsDrawn(FirmwareMemory memory, ModelArena arena) =>
        arena.Address is { } a && a >= memory.RamAddress && a + arena.Bytes <= memory.RamEnd;

    public static bool ShowsBudget(FirmwareMemory memory) => memory.Budget.Bytes > 0 && memory.Budget.Bytes <= memory.RamBytes;

    public static string Write(FirmwareMemory memory)
    {
        var ram = Math.Max(memory.RamBytes, 1);
        double Y(long address) => Top + PlotHeight - (address - memory.RamAddress) / (double)ram * PlotHeight;
        string N(double v) => GraphLayout.Text(v);
        var labels = new List<(double Y, string Text, string CssClass)>();

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(Left)}\" y=\"{N(Top)}\" width=\"{N(PlotWidth)}\" height=\"{N(PlotHeight)}\" class=\"plot\"><title>{Escape(memory.BoardName)} RAM: {Hex(memory.RamAddress)} – {Hex(memory.RamEnd)}, {memory.RamBytes:N0} B</title></rect>\n");
        for (var i = 0; i <= 4; i++)
        {
            var address = memory.RamAddress + memory.RamBytes * i / 4;
            body.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left - 6)}\" y=\"{N(Y(address) + 4)}\" class=\"tick\" text-anchor=\"end\">{Hex(address)}</text>\n");
        }
        body.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{N(Top + PlotHeight / 2)}\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(-90 14 {N(Top + PlotHeight / 2)})\">RAM address</text>\n");

        foreach (var block in memory.Blocks.OrderBy(b => b.Address).ThenBy(b => b.Name, StringComparer.Ordinal))
        {
            var y = Y(block.Address + block.Bytes);
            var h = Y(block.Address) - y;
            var title = $"{block.Name}: {Hex(block.Address)} – {Hex(block.Address + block.Bytes)}, {block.Bytes:N0} B · {block.Description}";
            body.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"ram-block {KindClass(block.Kind)}\" x=\"{N(Left)}\" y=\"{N(y)}\" width=\"{N(PlotWidth)}\" height=\"{N(h)}\" " +
                $"data-name=\"{Escape(block.Name)}\" data-address=\"{Hex(block.Address)}\" data-bytes=\"{block.Bytes}\"><title>{Escape(title)}</title></rect>\n");
            labels.Add((y + h / 2, $"{block.Name} · {SizeText.Bytes(block.Bytes)} at {Hex(block.Address)}", "block-label"));
        }

        foreach (var arena in memory.Models.Where(a => IsDrawn(memory, a)).OrderBy(a => a.Address).ThenBy(a => a.Name, StringComparer.Ordinal))
        {
            var address = arena.Address!.Value;
            var y = Y(address + arena.Bytes);
            var h = Y(address) - y;
            var layout = arena.Layout;
            var title = $"{arena.Name}_arena: {Hex(address)} – {Hex(address + arena.Bytes)}, {arena.Bytes:N0} B · model {arena.Name}: " +
                        $"{layout.Buffers.Count} buffers over {layout.Steps} schedule steps, {layout.ArenaBytes:N0} B planned";
            body.Append(CultureInfo.InvariantCulture,
                $"<g class=\"arena\" data-model=\"{Escape(arena.Name)}\" data-address=\"{Hex(address)}\" data-bytes=\"{arena.Bytes}\" data-planned-bytes=\"{layout.ArenaBytes}\">" +
                $"<title>{Escape(title)}</title>" +
                $"<rect class=\"arena-block\" x=\"{N(Left)}\" y=\"{N(y)}\" width=\"{N(PlotWidth)}\" height=\"{N(h)}\"/>\n");
            // Buffers as in the model's own map: its steps across the plot, its offsets up from the arena's address.
            var stepWidth = PlotWidth / Math.Max(layout.Steps, 1);
            foreach (var b in layout.Buffers)
            {
                var by = Y(address + b.Offset + b.Bytes);
                var bh = Math.Max(Y(address + b.Offset) - by, 0.5);
                var category = MemoryMapSvg.CategoryName(b.Category);
                body.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"buffer {MemoryMapSvg.CssClass(b.Category)}\" x=\"{N(Left + b.FirstStep * stepWidth)}\" y=\"{N(by)}\" " +
                    $"width=\"{N((b.LastStep - b.FirstStep + 1) * stepWidth)}\" height=\"{N(bh)}\" data-offset=\"{b.Offset}\" data-bytes=\"{b.Bytes}\" data-category=\"{Escape(category)}\">" +
                    $"<title>{Escape($"{arena.Name}: {b.Label} ({category}): {Hex(address + b.Offset)}, {b.Bytes:N0} B, steps {b.FirstStep}–{b.LastStep}")}</title></rect>\n");
            }
            body.Append("</g>\n");
            labels.Add((y + h / 2, $"{arena.Name} arena · {SizeText.Bytes(arena.Bytes)} at {Hex(address)}", "arena-label"));
        }

        if (ShowsBudget(memory))
        {
            var y = Y(memory.RamAddress + memory.Budget.Bytes);
            var text = $"budget {SizeText.Bytes(memory.Budget.Bytes)} ({memory.Budget.Explanation})";
            body.Append(CultureInfo.InvariantCulture, $"<line class=\"budget\" x1=\"{N(Left)}\" y1=\"{N(y)}\" x2=\"{N(Left + PlotWidth)}\" y2=\"{N(y)}\"><title>{Escape(text)}</title></line>\n");
            body.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left + 4)}\" y=\"{N(y - 4)}\" class=\"mark budget-text\">{Escape(text)}</text>\n");
        }

        // Labels top to bottom, each at its block's middle unless the one above pushes it down.
        var labelX = Left + PlotWidth + LabelGap;
        var next = Top + 4.0;
        foreach (var (y, text, cssClass) in labels.OrderBy(l => l.Y))
        {
            var at = Math.Max(y + 4, next);
            next = at + LabelLine;
            body.Append(CultureInfo.InvariantCulture,
                $"<path class=\"leader\" d=\"M{N(Left + PlotWidth)},{N(y)} L{N(labelX - 4)},{N(at - 4)}\"/>" +
                $"<text x=\"{N(labelX)}\" y=\"{N(at)}\" class=\"{cssClass}\">{Escape(text)}</text>\n");
        }

        var width = labelX + LabelWidth;
        var height = Math.Max(Top + PlotHeight + Bottom, next + Bottom);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"firmware-map\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" " +
            $"data-ram-address=\"{Hex(memory.RamAddress)}\" data-ram-bytes=\"{memory.RamBytes}\" " +
            $"data-plot-left=\"{N(Left)}\" data-plot-top=\"{N(Top)}\" data-plot-width=\"{N(PlotWidth)}\" data-plot-height=\"{N(PlotHeight)}\">\n");
        sb.Append(body);
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
