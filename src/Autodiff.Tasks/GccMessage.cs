using System.Text.RegularExpressions;

namespace Autodiff.Tasks;

/// <summary>One diagnostic line printed by gcc or GNU ld, split into its parts.</summary>
internal sealed record GccMessage(string? File, int Line, int Column, bool IsError, string Text);

/// <summary>
/// Recognises the lines gcc and ld print (<c>file:line:col: error: text</c>, <c>ld: text</c>,
/// <c>region `RAM' overflowed by 24 bytes</c>) so they can be logged with a file and position.
/// </summary>
internal static partial class GccMessageParser
{
    // main.c:12:5: error: 'x' undeclared       (column and "fatal" optional)
    [GeneratedRegex(@"^(?<file>.+?):(?<line>\d+):(?:(?<col>\d+):)?\s*(?<kind>fatal error|error|warning):\s*(?<text>.*)$")]
    private static partial Regex CompilerLine();

    // gcc: fatal error: no input files   /   cc1: error: unrecognized option
    [GeneratedRegex(@"^(?<tool>[^\s:]+):\s*(?<kind>fatal error|error|warning):\s*(?<text>.*)$")]
    private static partial Regex ToolLine();

    // /usr/bin/ld: main.o: in function `main':  /  .../ld: region `RAM' overflowed by 24 bytes
    [GeneratedRegex(@"^(?<tool>\S*\bld(?:\.\w+)?(?:\.exe)?):\s*(?<text>.*)$")]
    private static partial Regex LinkerLine();

    // main.c:(.text+0x10): undefined reference to `foo'
    [GeneratedRegex(@"^(?<file>[^:]+):\((?<section>[^)]*)\):\s*(?<text>.*)$")]
    private static partial Regex LinkerLocationLine();

    [GeneratedRegex(@"region [`']?(?<region>[\w.]+)'? overflowed by (?<bytes>\d+) bytes?")]
    private static partial Regex RegionOverflow();

    public static GccMessage? Parse(string line)
    {
        var m = CompilerLine().Match(line);
        if (m.Success && !m.Groups["file"].Value.EndsWith("ld", StringComparison.Ordinal))
        {
            return new GccMessage(
                m.Groups["file"].Value,
                int.Parse(m.Groups["line"].Value),
                m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value) : 0,
                m.Groups["kind"].Value != "warning",
                m.Groups["text"].Value);
        }

        m = ToolLine().Match(line);
        if (m.Success)
            return new GccMessage(null, 0, 0, m.Groups["kind"].Value != "warning", m.Groups["text"].Value);

        m = LinkerLine().Match(line);
        if (m.Success)
        {
            var text = m.Groups["text"].Value;
            if (text.StartsWith("warning:", StringComparison.Ordinal))
                return new GccMessage(null, 0, 0, false, text["warning:".Length..].Trim());
            // "in function" lines only introduce the next line; keep them as context, not errors
            if (text.Contains(": in function", StringComparison.Ordinal)) return null;
            var located = LinkerLocationLine().Match(text);
            if (located.Success) return new GccMessage(located.Groups["file"].Value, 0, 0, true, located.Groups["text"].Value);
            return new GccMessage(null, 0, 0, true, text);
        }

        m = LinkerLocationLine().Match(line);
        if (m.Success && m.Groups["text"].Value.Contains("undefined reference", StringComparison.Ordinal))
            return new GccMessage(m.Groups["file"].Value, 0, 0, true, m.Groups["text"].Value);

        return null;
    }

    /// <summary>Recognises a linker memory overflow; returns the region name and byte count.</summary>
    public static (string Region, long Bytes)? ParseRegionOverflow(string text)
    {
        var m = RegionOverflow().Match(text);
        return m.Success ? (m.Groups["region"].Value, long.Parse(m.Groups["bytes"].Value)) : null;
    }
}
