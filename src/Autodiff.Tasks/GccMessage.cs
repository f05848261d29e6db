using System.Text.RegularExpressions;

namespace Autodiff.Tasks;

/// <summary>How a recognised gcc or ld line is logged.</summary>
internal enum GccMessageKind
{
    /// <summary>An error: it fails the build.</summary>
    Error,

    /// <summary>A warning.</summary>
    Warning,

    /// <summary>Information only (e.g. ld's "skipping incompatible ..."); the tool's exit code decides whether the step failed.</summary>
    Note,
}

/// <summary>One diagnostic line printed by gcc or GNU ld, split into its parts.</summary>
internal sealed record GccMessage(string? File, int Line, int Column, GccMessageKind Kind, string Text)
{
    public bool IsError => Kind == GccMessageKind.Error;
}

/// <summary>
/// Recognises the lines gcc and ld print (<c>file:line:col: error: text</c>, <c>ld: text</c>,
/// <c>file:line: undefined reference to ...</c>, <c>region `RAM' overflowed by 24 bytes</c>) so they
/// can be logged with a file and position.
/// </summary>
internal static partial class GccMessageParser
{
    // main.c:12:5: error: 'x' undeclared       (column and "fatal" optional)
    [GeneratedRegex(@"^(?<file>.+?):(?<line>\d+):(?:(?<col>\d+):)?\s*(?<kind>fatal error|error|warning):\s*(?<text>.*)$")]
    private static partial Regex CompilerLine();

    // gcc: fatal error: no input files   /   cc1: error: unrecognized option   /   collect2: error: ld returned 1 exit status
    [GeneratedRegex(@"^(?<tool>[^\s:]+):\s*(?<kind>fatal error|error|warning):\s*(?<text>.*)$")]
    private static partial Regex ToolLine();

    // /usr/bin/ld: main.o: in function `main':   /   .../arm-none-eabi/bin/ld: region `RAM' overflowed by 24 bytes.
    // ld always puts a space after its colon, which tells it apart from a source file such as "my-ld.c:3:1: error".
    [GeneratedRegex(@"^(?<tool>\S*\bld(?:\.\w+)?(?:\.exe)?):\s+(?<text>.*)$")]
    private static partial Regex LinkerLine();

    // What ld says about a place in the program, with the ld: prefix or (on continuation lines) without:
    //   main.c:2: undefined reference to `f'          (sources built with -g: file and line)
    //   main.c:(.text+0x10): undefined reference to `f'
    //   use.c:(.text.use_it+0x0): warning: the `gets' function is dangerous
    [GeneratedRegex(@"^(?<file>(?:[A-Za-z]:)?[^:]+):(?:(?<line>\d+):)?(?:\((?<section>[^)]*)\):)?\s*(?<text>.*)$")]
    private static partial Regex LinkerLocation();

    // Linker lines that are errors whatever ld's exit code turns out to be.
    [GeneratedRegex(@"undefined reference|multiple definition|first defined here|region .* overflowed|cannot find |cannot open ")]
    private static partial Regex LinkerError();

    [GeneratedRegex(@"region [`']?(?<region>[\w.]+)'? overflowed by (?<bytes>\d+) bytes?")]
    private static partial Regex RegionOverflow();

    public static GccMessage? Parse(string line)
    {
        var m = LinkerLine().Match(line);
        if (m.Success) return ParseLinker(m.Groups["text"].Value, prefixed: true);

        m = CompilerLine().Match(line);
        if (m.Success)
        {
            return new GccMessage(
                m.Groups["file"].Value,
                int.Parse(m.Groups["line"].Value),
                m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value) : 0,
                m.Groups["kind"].Value == "warning" ? GccMessageKind.Warning : GccMessageKind.Error,
                m.Groups["text"].Value);
        }

        m = ToolLine().Match(line);
        if (m.Success)
            return new GccMessage(null, 0, 0, m.Groups["kind"].Value == "warning" ? GccMessageKind.Warning : GccMessageKind.Error, m.Groups["text"].Value);

        return ParseLinker(line, prefixed: false);
    }

    /// <summary>
    /// Classifies what ld printed after its prefix, or a continuation line without one. Unprefixed
    /// lines count only when they name a place (line or section), so other output is left alone.
    /// </summary>
    private static GccMessage? ParseLinker(string text, bool prefixed)
    {
        string? file = null;
        var lineNumber = 0;
        var located = LinkerLocation().Match(text);
        if (located.Success && (located.Groups["line"].Success || located.Groups["section"].Success))
        {
            file = located.Groups["file"].Value;
            lineNumber = located.Groups["line"].Success && int.TryParse(located.Groups["line"].Value, out var n) ? n : 0;
            text = located.Groups["text"].Value;
        }
        else if (!prefixed)
        {
            return null;
        }

        if (text.StartsWith("warning:", StringComparison.Ordinal))
            return new GccMessage(file, lineNumber, 0, GccMessageKind.Warning, text["warning:".Length..].Trim());
        if (text.StartsWith("error:", StringComparison.Ordinal))
            return new GccMessage(file, lineNumber, 0, GccMessageKind.Error, text["error:".Length..].Trim());
        if (LinkerError().IsMatch(text))
            return new GccMessage(file, lineNumber, 0, GccMessageKind.Error, text);
        // "in function" lines introduce the next line, "skipping incompatible" reports a search step:
        // information, not failures.
        return new GccMessage(file, lineNumber, 0, GccMessageKind.Note, text);
    }

    /// <summary>Recognises a linker memory overflow; returns the region name and byte count.</summary>
    public static (string Region, long Bytes)? ParseRegionOverflow(string text)
    {
        var m = RegionOverflow().Match(text);
        return m.Success ? (m.Groups["region"].Value, long.Parse(m.Groups["bytes"].Value)) : null;
    }
}
