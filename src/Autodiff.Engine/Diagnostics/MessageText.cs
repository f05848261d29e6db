using System.Globalization;
using System.Text;

namespace Autodiff.Engine.Diagnostics;

/// <summary>
/// Makes text from a model file (names, keys, values, paths) safe to quote in a diagnostic. Build
/// logs are read line by line, by people and by MSBuild's canonical-error parser: a raw newline, an
/// ANSI escape or a bidirectional override in a quoted name could forge a second diagnostic,
/// repaint a terminal or hide text, and a megabyte-long name would flood the log.
/// </summary>
public static class MessageText
{
    /// <summary>How much of a name, key or value a message quotes.</summary>
    public const int MaxQuotedChars = 80;

    /// <summary>How much of a file path a message quotes: paths are longer than names, and both ends matter.</summary>
    public const int MaxPathChars = 200;

    /// <summary>
    /// Longest message a diagnostic carries. Every quotation is bounded where it is made; this
    /// bound only catches a message built from unbounded text that a future change forgets to quote.
    /// </summary>
    public const int MaxMessageChars = 1000;

    /// <summary>
    /// <paramref name="text"/> with characters that could alter how a log reads escaped as
    /// <c>\uXXXX</c>, cut to <paramref name="maxChars"/> characters (marked by '…').
    /// </summary>
    public static string Printable(string text, int maxChars = MaxQuotedChars)
    {
        var cut = text.Length > maxChars ? CutPoint(text, maxChars) : text.Length;
        var sb = new StringBuilder(cut + 8);
        AppendEscaped(sb, text, 0, cut);
        if (cut < text.Length) sb.Append('…');
        return sb.ToString();
    }

    /// <summary>
    /// A path as a message may quote it: escaped like <see cref="Printable"/>, and when too long
    /// its middle is left out, so that both the folder it starts in and the file name stay visible.
    /// </summary>
    public static string PrintablePath(string path)
    {
        if (path.Length <= MaxPathChars) return Printable(path, MaxPathChars);
        var headEnd = CutPoint(path, MaxPathChars / 2);
        var tailStart = path.Length - MaxPathChars / 2;
        if (char.IsLowSurrogate(path[tailStart])) tailStart++;
        var sb = new StringBuilder(MaxPathChars + 16);
        AppendEscaped(sb, path, 0, headEnd);
        sb.Append('…');
        AppendEscaped(sb, path, tailStart, path.Length);
        return sb.ToString();
    }

    /// <summary>
    /// A whole message made safe: unsafe characters escaped, and bounded by
    /// <see cref="MaxMessageChars"/>. Messages that are already safe come back unchanged.
    /// </summary>
    public static string Sanitize(string message)
    {
        if (message.Length <= MaxMessageChars && !message.Any(IsUnsafe)) return message;
        return Printable(message, MaxMessageChars);
    }

    /// <summary>
    /// Control characters (C0, DEL, C1 such as NEL), format characters (bidirectional overrides,
    /// zero-width joiners), the Unicode line and paragraph separators, and surrogate halves that
    /// are not part of a pair.
    /// </summary>
    public static bool IsUnsafe(char c) => char.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse;

    /// <summary>An index at most <paramref name="maxChars"/> that does not split a surrogate pair.</summary>
    private static int CutPoint(string text, int maxChars) =>
        maxChars > 0 && char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;

    private static void AppendEscaped(StringBuilder sb, string text, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < end && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (IsUnsafe(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
    }
}
