using Autodiff.Engine.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Autodiff.Engine.Model;

/// <summary>
/// Turns YAML text into a <see cref="YNode"/> tree, defensively: model files come from users
/// and build servers, so hostile input must end in a diagnostic, never in unbounded work.
/// </summary>
internal static class YamlTreeReader
{
    /// <summary>Models are a few hundred lines; 1 MiB leaves room for generated ones.</summary>
    public const int MaxDocumentChars = 1 << 20;
    /// <summary>A model nests about six levels deep (layers → entry → args → list).</summary>
    public const int MaxDepth = 32;
    /// <summary>Bounds work and memory even for files under the size cap.</summary>
    public const int MaxNodes = 100_000;

    public static YNode? Read(string text, string file, DiagnosticBag diags)
    {
        if (text.Length > MaxDocumentChars)
        {
            diags.Error(ModelDiagnosticCodes.DocumentTooLarge,
                $"model file has {text.Length} characters; the limit is {MaxDocumentChars}", new SourceLocation(file, 1, 1));
            return null;
        }

        // Text read by the caller may still start with a byte order mark, which is no part of the document.
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var state = new State(file, diags);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            YNode? root = null;
            var documents = 0;
            while (!parser.Accept<StreamEnd>(out _))
            {
                var start = parser.Consume<DocumentStart>();
                documents++;
                if (documents > 1)
                {
                    diags.Error(ModelDiagnosticCodes.DocumentCount,
                        "the file holds more than one YAML document; a model file holds exactly one", state.At(start.Start));
                    return null;
                }
                root = ReadNode(parser, state, 1);
                if (root is null) return null;
                parser.Consume<DocumentEnd>();
            }
            if (root is null)
                diags.Error(ModelDiagnosticCodes.DocumentCount, "the file holds no YAML document", new SourceLocation(file, 1, 1));
            return root;
        }
        catch (YamlException e)
        {
            // Parser messages start with "(Line: 3, Col: 5, ...): "; the position goes into the location instead.
            var message = e.Message;
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && cut > 0) message = message[(cut + 3)..];
            var at = state.At(e.Start);
            // YamlDotNet reports a tab in indentation at the enclosing mapping's start (often 1:1);
            // point at the tab itself, which is what the user has to change.
            if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstIndentingTab(text) is var (line, column))
                at = new SourceLocation(file, line, column);
            diags.Error(ModelDiagnosticCodes.YamlSyntax, $"YAML syntax error: {MessageText.Printable(message, 300)}", at);
            return null;
        }
        catch (ArgumentException e) when (IsFromYamlDotNet(e))
        {
            // The parser builds a tag's name while reading ahead, and a tag that is not a valid URI
            // (e.g. '!<a%0Ab>') fails there as an argument error; no tag is allowed anyway, so the
            // useful report is that one, at the tag after the last node read.
            var tag = text.IndexOf('!', (int)Math.Clamp(state.LastMark.Index, 0, text.Length));
            diags.Error(ModelDiagnosticCodes.TagNotAllowed,
                "YAML tags are not allowed in a model file, and this one is not even a valid URI; write plain values",
                tag < 0 ? state.At(state.LastMark) : PositionOf(text, tag, file));
            return null;
        }
        catch (InvalidOperationException e) when (IsFromYamlDotNet(e))
        {
            // The scanner fails this way (instead of with a YamlException) on some truncated flow
            // collections; the innermost unclosed '[' or '{' is the useful position.
            if (state.OpenFlow.TryPeek(out var open))
                diags.Error(ModelDiagnosticCodes.YamlSyntax,
                    "YAML syntax error: this flow collection is never closed, or holds malformed text", state.At(open));
            else
                diags.Error(ModelDiagnosticCodes.YamlSyntax, "YAML syntax error: malformed YAML after this point", state.At(state.LastMark));
            return null;
        }
    }

    private static bool IsFromYamlDotNet(Exception e) =>
        e.TargetSite?.DeclaringType?.Namespace?.StartsWith("YamlDotNet", StringComparison.Ordinal) == true;

    /// <summary>The 1-based line and column of character <paramref name="index"/>.</summary>
    private static SourceLocation PositionOf(string text, int index, string file)
    {
        var lineStart = index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;
        var line = 1 + text.AsSpan(0, lineStart).Count('\n');
        return new SourceLocation(file, line, index - lineStart + 1);
    }

    /// <summary>The first tab in a line's leading whitespace (1-based line and column), if any.</summary>
    private static (int Line, int Column)? FirstIndentingTab(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            for (var c = 0; c < line.Length && line[c] is ' ' or '\t'; c++)
                if (line[c] == '\t' && line.Trim().Length > 0) return (i + 1, c + 1);
        }
        return null;
    }

    private sealed class State(string file, DiagnosticBag diags)
    {
        public string File { get; } = file;
        public DiagnosticBag Diags { get; } = diags;
        public int Nodes { get; set; }

        /// <summary>Starts of the flow collections ('[', '{') being read, innermost on top.</summary>
        public Stack<Mark> OpenFlow { get; } = new();

        /// <summary>Where the last node started, for failures that carry no position.</summary>
        public Mark LastMark { get; set; } = Mark.Empty;

        public SourceLocation At(Mark mark) => new(File, Math.Max(1, (int)mark.Line), Math.Max(1, (int)mark.Column));
    }

    /// <summary>Reads one node; returns null after reporting when the document must be rejected.</summary>
    private static YNode? ReadNode(IParser parser, State state, int depth)
    {
        if (++state.Nodes > MaxNodes)
        {
            state.Diags.Error(ModelDiagnosticCodes.TooManyNodes,
                $"the document has more than {MaxNodes} YAML nodes", state.At(parser.Current!.Start));
            return null;
        }

        var current = parser.Current!;
        var previous = state.LastMark;
        state.LastMark = current.Start;
        if (current is AnchorAlias alias)
        {
            state.Diags.Error(ModelDiagnosticCodes.AliasNotAllowed,
                $"YAML alias '*{MessageText.Printable(alias.Value.Value)}' is not allowed in a model file; write the value out", state.At(alias.Start));
            return null;
        }

        if (current is NodeEvent node && !node.Tag.IsEmpty && !node.Tag.IsNonSpecific)
        {
            state.Diags.Error(ModelDiagnosticCodes.TagNotAllowed,
                $"YAML tag '{MessageText.Printable(node.Tag.Value)}' is not allowed in a model file; write plain values", state.At(node.Start));
            return null;
        }

        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return new YScalar(state.At(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);

            case SequenceStart seq:
            {
                if (!CheckDepth(seq, state, depth)) return null;
                if (seq.Style == SequenceStyle.Flow) state.OpenFlow.Push(seq.Start);
                parser.MoveNext();
                var items = new List<YNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    var item = ReadNode(parser, state, depth + 1);
                    if (item is null) return null;
                    items.Add(item);
                }
                if (seq.Style == SequenceStyle.Flow) state.OpenFlow.Pop();
                return new YSequence(state.At(seq.Start), items);
            }

            case MappingStart map:
            {
                if (!CheckDepth(map, state, depth)) return null;
                if (map.Style == MappingStyle.Flow) state.OpenFlow.Push(map.Start);
                parser.MoveNext();
                var entries = new List<KeyValuePair<YScalar, YNode>>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyNode = ReadNode(parser, state, depth + 1);
                    if (keyNode is null) return null;
                    var value = ReadNode(parser, state, depth + 1);
                    if (value is null) return null;
                    if (keyNode is not YScalar key)
                    {
                        state.Diags.Error(ModelDiagnosticCodes.WrongType,
                            $"a mapping key must be a plain name, not {keyNode.Describe()}", keyNode.Location);
                        continue;
                    }
                    if (!seen.Add(key.Value))
                    {
                        state.Diags.Error(ModelDiagnosticCodes.DuplicateKey,
                            $"duplicate key '{MessageText.Printable(key.Value)}' in this mapping", key.Location);
                        continue;
                    }
                    entries.Add(new(key, value));
                }
                if (map.Style == MappingStyle.Flow) state.OpenFlow.Pop();
                return new YMapping(state.At(map.Start), entries);
            }

            default:
                // A node was due but the structure ended (e.g. a line starting with ': ' where a
                // sequence item should be): YamlDotNet reports that as an event, not an exception.
                state.Diags.Error(ModelDiagnosticCodes.YamlSyntax,
                    "YAML syntax error: a value is missing after this (a line starting with ':', an empty key?)", state.At(previous));
                return null;
        }
    }

    private static bool CheckDepth(ParsingEvent start, State state, int depth)
    {
        if (depth <= MaxDepth) return true;
        state.Diags.Error(ModelDiagnosticCodes.NestingTooDeep,
            $"YAML collections are nested more than {MaxDepth} levels deep", state.At(start.Start));
        return false;
    }
}
