using System.Globalization;
using System.Text;

namespace Autodiff.Tasks;

/// <summary>
/// The last lines a program printed, kept for its failure message (AD4402). The streamed lines are
/// messages, which -v:q hides and the terminal logger folds away once the project ends; an error
/// that quotes them stays readable under any logger. The quote is made safe to print: control
/// characters (an ANSI escape that would recolour the terminal, a stray carriage return that would
/// overwrite the line) appear as escapes, and each line is cut, so a program that writes binary or
/// one huge line cannot bury the error.
/// </summary>
internal sealed class OutputTail(int lineCount = OutputTail.DefaultLineCount, int maxLineLength = OutputTail.DefaultMaxLineLength)
{
    public const int DefaultLineCount = 5;
    public const int DefaultMaxLineLength = 200;

    private readonly Queue<string> _lines = new();

    /// <summary>Records one line of output (without its line ending).</summary>
    public void Add(string line)
    {
        if (_lines.Count == lineCount) _lines.Dequeue();
        _lines.Enqueue(line);
    }

    /// <summary>The kept lines, escaped and cut, oldest first.</summary>
    public IReadOnlyList<string> Lines => _lines.Select(l => Escape(l, maxLineLength)).ToList();

    /// <summary>
    /// An indented block for the end of an error message, introduced by <paramref name="heading"/>;
    /// empty when the program printed nothing.
    /// </summary>
    public string Quote(string heading)
    {
        if (_lines.Count == 0) return "";
        var text = new StringBuilder().Append(Environment.NewLine).Append(heading);
        foreach (var line in Lines) text.Append(Environment.NewLine).Append("  | ").Append(line);
        return text.ToString();
    }

    /// <summary>
    /// Control characters as C-style escapes (<c>\t</c>, <c>\r</c>, <c>\x1b</c>), cut after about
    /// <paramref name="maxLength"/> characters.
    /// </summary>
    public static string Escape(string line, int maxLength)
    {
        var text = new StringBuilder();
        var taken = 0;
        for (; taken < line.Length && text.Length < maxLength; taken++)
        {
            var c = line[taken];
            text.Append(c switch
            {
                '\t' => "\\t",
                '\r' => "\\r",
                // char.IsControl is C0, DEL and C1: all below 0x100.
                _ when char.IsControl(c) => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return taken == line.Length ? text.ToString() : $"{text}… (cut, {line.Length} characters)";
    }
}
