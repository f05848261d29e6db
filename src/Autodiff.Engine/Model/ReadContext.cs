using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// What every section reader shares: where the model lives, the diagnostics, and the small
/// checks on YAML node kinds that every section repeats.
/// </summary>
internal sealed class ReadContext(string file, string baseDirectory, DiagnosticBag diags)
{
    public string File { get; } = file;

    /// <summary>The model file's folder; <c>weights:</c> paths are relative to it.</summary>
    public string BaseDirectory { get; } = baseDirectory;

    public DiagnosticBag Diags { get; } = diags;

    /// <summary>Keys the caller asked to ignore (pretraining, the float comparison).</summary>
    public LoadOptions Options { get; init; } = LoadOptions.Default;

    /// <summary>Appended to "unknown ..." messages when the file declares a newer minor schema than this engine reads.</summary>
    public string SchemaHint { get; set; } = "";

    /// <summary>Files the loader read on the model's behalf, for incremental builds.</summary>
    public List<string> ReferencedFiles { get; } = [];

    public YMapping? Mapping(YNode node, string what)
    {
        if (node is YMapping map) return map;
        Diags.Error(ModelDiagnosticCodes.WrongType, $"{what} must be a mapping; got {node.Describe()}", node.Location);
        return null;
    }

    public YSequence? Sequence(YNode node, string what)
    {
        if (node is YSequence seq) return seq;
        Diags.Error(ModelDiagnosticCodes.WrongType, $"{what} must be a list; got {node.Describe()}", node.Location);
        return null;
    }

    /// <summary>A non-null scalar (any quoting), e.g. a name or a path.</summary>
    public YScalar? Text(YNode node, string what)
    {
        if (node is YScalar { IsNull: false } s) return s;
        Diags.Error(ModelDiagnosticCodes.WrongType, $"{what} must be a name or text; got {node.Describe()}", node.Location);
        return null;
    }

    /// <param name="what">What the key is: "layer", "top-level key", "argument".</param>
    /// <param name="owner">Whose key it is, for arguments: "linear".</param>
    public void UnknownKey(string code, YScalar key, string what, IEnumerable<string> known, string? owner = null) =>
        Diags.Error(code,
            $"unknown {what} '{ModelNames.Printable(key.Value)}'{(owner is null ? "" : $" for {owner}")}{Suggest.Hint(key.Value, known)}{SchemaHint}",
            key.Location);

    /// <summary>Errors already in the bag when loading began (the caller may share one bag across models).</summary>
    public int ErrorsAtStart { get; init; }

    /// <summary>True once this load has reported an error.</summary>
    public bool HasErrors => Diags.Items.Count(d => d.IsError) > ErrorsAtStart;

    /// <summary>
    /// Reads an entry written as a bare keyword (<c>relu</c>) or a one-key mapping
    /// (<c>linear: { ... }</c>). Returns the keyword node and the argument mapping (null when
    /// there are none), or null after reporting.
    /// </summary>
    public (YScalar Keyword, YMapping? Args)? KeywordEntry(YNode node, string what, string example)
    {
        switch (node)
        {
            case YScalar { IsNull: false } bare:
                return (bare, null);
            case YMapping { Entries.Count: 1 } map:
            {
                var (key, value) = (map.Entries[0].Key, map.Entries[0].Value);
                if (value is YScalar { IsNull: true }) return (key, null);
                if (value is YMapping args) return (key, args);
                Diags.Error(ModelDiagnosticCodes.WrongType,
                    $"the arguments of '{ModelNames.Printable(key.Value)}' must be a mapping, e.g. {example}; got {value.Describe()}",
                    value.Location);
                return null;
            }
            case YMapping { Entries.Count: > 1 } map:
                Diags.Error(ModelDiagnosticCodes.MalformedEntry,
                    $"{what} is one keyword with its arguments inside it, e.g. {example}; found a second key '{ModelNames.Printable(map.Entries[1].Key.Value)}'",
                    map.Entries[1].Key.Location);
                return null;
            default:
                Diags.Error(ModelDiagnosticCodes.MalformedEntry,
                    $"{what} must be a keyword or a one-key mapping, e.g. {example}; got {node.Describe()}", node.Location);
                return null;
        }
    }

    /// <summary>
    /// Collects a keyword's arguments, reporting keys that are neither in <paramref name="known"/>
    /// nor in <paramref name="handledElsewhere"/> (the latter are skipped, not collected).
    /// </summary>
    public LayerArgs Args(string owner, YMapping? map, IReadOnlyCollection<string> known, IReadOnlyCollection<string> handledElsewhere)
    {
        var values = new List<KeyValuePair<string, ArgValue>>();
        foreach (var (key, value) in map?.Entries ?? [])
        {
            if (handledElsewhere.Contains(key.Value)) continue;
            if (!known.Contains(key.Value))
            {
                UnknownKey(ModelDiagnosticCodes.UnknownArgument, key, "argument", known.Concat(handledElsewhere), owner);
                continue;
            }
            values.Add(new(key.Value, ArgValue.From(value)));
        }
        return new LayerArgs(owner, values);
    }
}
