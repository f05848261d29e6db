using System.Globalization;
using System.Text;
using Autodiff.Engine.Planning;
using static Autodiff.Engine.Report.HtmlText;

namespace Autodiff.Engine.Report;

/// <summary>
/// Writes <c>firmware.report.html</c>: for firmware with several models, the memory map of the board's
/// whole RAM with every model's arena at its linked address (<see cref="FirmwareMapSvg"/>), and a table of
/// the same blocks linking to each model's own report. Self-contained like the model report (inline CSS
/// and SVG, no script, nothing fetched) and made only of what the image and plans decide, so the same
/// image gives the same bytes.
/// </summary>
public static class FirmwareReportWriter
{
    /// <summary>The report's file name; it sits in the generated folder beside the models' folders.</summary>
    public const string FileName = "firmware.report.html";

    /// <summary>A model's report as linked from the firmware report (<c>NAME/NAME.report.html</c>).</summary>
    public static string ModelReportLink(string model) => Uri.EscapeDataString(model) + "/" + Uri.EscapeDataString(ReportWriter.HtmlFileName(model));

    public static string Html(FirmwareMemory memory)
    {
        // Numbers are formatted with the current culture; the report must not depend on the user's.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return HtmlCore(memory);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private static string HtmlCore(FirmwareMemory memory)
    {
        var image = Escape(memory.ImageName);
        var statics = memory.Blocks.Where(b => b.Kind is RamBlockKind.Data or RamBlockKind.Bss or RamBlockKind.OtherSection).Sum(b => b.Bytes);
        var arenas = memory.Models.Sum(m => m.Bytes);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        sb.Append($"<title>Autodiff firmware report: {image}</title>\n<style>\n{ReportWriter.Css}{MemoryMapSvg.CategoryCss}{Css}</style>\n</head>\n<body>\n");
        sb.Append($"<h1>Autodiff firmware report: {image}</h1>\n");
        sb.Append($"<p class=\"summary\">Board <b>{Escape(memory.BoardName)}</b>: {memory.RamBytes:N0} B RAM at {FirmwareMapSvg.Hex(memory.RamAddress)} · " +
                  $"static RAM (sections) <b>{statics:N0} B</b>, of which {memory.Models.Count} model arenas <b>{arenas:N0} B</b> · " +
                  $"model budget {memory.Budget.Bytes:N0} B ({Escape(memory.Budget.Explanation)})</p>\n");
        if (memory.Models.Where(m => !FirmwareMapSvg.IsDrawn(memory, m)).ToList() is { Count: > 0 } missing)
            sb.Append($"<p class=\"over\">Not drawn: {Escape(string.Join(", ", missing.Select(m => m.Name)))}: the image has no such <code>NAME_arena</code> symbol " +
                      "in the board's RAM (a stripped image has no symbol table).</p>\n");

        sb.Append("<h2 id=\"memory\">Memory map</h2>\n");
        sb.Append("<p>The board's whole RAM to scale, address up. Each model's arena sits where the linker put it, with its buffers inside " +
                  "as in the model's own memory map (that model's schedule steps across, offsets up). Hover for names, addresses and sizes.</p>\n");
        sb.Append("<p class=\"legend\">");
        foreach (var (category, label, _) in MemoryMapSvg.Categories)
            sb.Append($"<span class=\"swatch {MemoryMapSvg.CssClass(category)}\"></span>{label} ");
        sb.Append("<span class=\"swatch arena-key\"></span>model arena ");
        foreach (var (kind, label) in KindLabels)
            sb.Append($"<span class=\"swatch {FirmwareMapSvg.KindClass(kind)}\"></span>{label} ");
        sb.Append(FirmwareMapSvg.ShowsBudget(memory)
            ? "<span class=\"key-line budget-key\"></span>budget"
            : $"· the budget ({memory.Budget.Bytes:N0} B) is beyond the board's RAM");
        sb.Append("</p>\n<div class=\"scroll\">\n");
        sb.Append(FirmwareMapSvg.Write(memory));
        sb.Append("</div>\n");

        sb.Append("<h2 id=\"blocks\">Blocks</h2>\n");
        sb.Append("<p>The same blocks by address. Model arenas lie inside <code>.bss</code>; each links to its model's report.</p>\n");
        sb.Append("<table class=\"layers blocks\">\n<tr><th>block</th><th>start</th><th>end</th><th>bytes</th><th>what</th></tr>\n");
        var rows = memory.Blocks.Select(b => (Address: (long?)b.Address, Order: 0, Name: b.Name,
                Row: $"<td>{Escape(b.Name)}</td>{Range(b.Address, b.Bytes)}<td>{Escape(b.Description)}</td>"))
            .Concat(memory.Models.Select(m => (m.Address, Order: 1, m.Name,
                Row: $"<td><a href=\"{Escape(m.ReportLink)}\">{Escape(m.Name)}</a> arena</td>" +
                     (m.Address is { } a ? Range(a, m.Bytes) : $"<td colspan=\"2\">not in the image</td><td class=\"num\">{m.Bytes:N0}</td>") +
                     $"<td>{m.Layout.Buffers.Count} buffers, {m.Layout.ArenaBytes:N0} B planned</td>")));
        foreach (var row in rows.OrderBy(r => r.Address ?? long.MaxValue).ThenBy(r => r.Order).ThenBy(r => r.Name, StringComparer.Ordinal))
            sb.Append($"<tr class=\"{(row.Order == 1 ? "arena-row" : "block-row")}\">{row.Row}</tr>\n");
        sb.Append("</table>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static string Range(long address, long bytes) =>
        $"<td class=\"num\">{FirmwareMapSvg.Hex(address)}</td><td class=\"num\">{FirmwareMapSvg.Hex(address + bytes)}</td><td class=\"num\">{bytes:N0}</td>";

    private static readonly (RamBlockKind Kind, string Label)[] KindLabels =
    [
        (RamBlockKind.Data, ".data"),
        (RamBlockKind.Bss, ".bss"),
        (RamBlockKind.OtherSection, "other section"),
        (RamBlockKind.Stack, "stack"),
        (RamBlockKind.Free, "free (heap and stack)"),
    ];

    /// <summary>Only what the model report's style has not: block kinds, arena outlines, labels.</summary>
    private const string Css = """
        .kind-data { fill: #9ecae1; background: #9ecae1; } .kind-bss { fill: #d9d9d9; background: #d9d9d9; }
        .kind-othersection { fill: #c7e9c0; background: #c7e9c0; } .kind-stack { fill: #fdd0a2; background: #fdd0a2; }
        .kind-free { fill: #ffffff; background: #ffffff; }
        rect.ram-block { stroke: #777; stroke-width: 0.5; } rect.ram-block:hover { stroke: #000; stroke-width: 1.5; }
        rect.arena-block, .swatch.arena-key { fill: #f4f4f4; background: #f4f4f4; stroke: #111; stroke-width: 1; border-color: #111; }
        g.arena:hover rect.arena-block { stroke-width: 2; }
        path.leader { fill: none; stroke: #aaa; stroke-width: 0.75; }
        .block-label { font-size: 11px; fill: #333; } .arena-label { font-size: 11px; fill: #111; font-weight: bold; }

        """;
}
