using System.Text;

namespace Autodiff.Tasks;

/// <summary>
/// Reads the make-style dependency file gcc writes with <c>-MMD -MF</c>: the first rule's
/// prerequisites are the source and every project header it included. gcc escapes spaces and
/// <c>$</c> but writes a newline in a path as it is, which make cannot tell from the rule's end; the
/// SDK compiles without <c>-MP</c>, so the rule is the file's only content, and a raw newline with
/// more text after it is part of a path (a project folder whose name holds a newline).
/// </summary>
internal static class MakeDependencyFile
{
    /// <summary>The prerequisites of the first rule; empty when the file is missing or unreadable.</summary>
    public static IReadOnlyList<string> ReadPrerequisites(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path)) return Array.Empty<string>();
            text = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return Array.Empty<string>();
        }
        return ParsePrerequisites(text);
    }

    /// <summary>Parses the first rule of <paramref name="text"/>, honouring line continuations and <c>\ </c> escapes.</summary>
    public static IReadOnlyList<string> ParsePrerequisites(string text)
    {
        var result = new List<string>();
        var word = new StringBuilder();
        var afterColon = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && (text[i + 1] == '\n' || text[i + 1] == '\r'))
            {
                // line continuation
                i++;
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                Flush();
                continue;
            }
            if (c == '\\' && i + 1 < text.Length && (text[i + 1] == ' ' || text[i + 1] == '#'))
            {
                word.Append(text[++i]);
                continue;
            }
            if (c == '$' && i + 1 < text.Length && text[i + 1] == '$')
            {
                word.Append('$');
                i++;
                continue;
            }
            if (!afterColon && c == ':' && (i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1])))
            {
                word.Clear();
                afterColon = true;
                continue;
            }
            if (c == '\n' || c == '\r')
            {
                if (afterColon && word.Length > 0 && !string.IsNullOrWhiteSpace(text[(i + 1)..]))
                {
                    word.Append(c);
                    continue;
                }
                Flush();
                if (afterColon) break;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                Flush();
                continue;
            }
            word.Append(c);
        }
        Flush();
        return result;

        void Flush()
        {
            if (word.Length > 0 && afterColon) result.Add(word.ToString());
            if (afterColon) word.Clear();
        }
    }
}
