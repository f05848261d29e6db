using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// A minimal YAML tree with a position on every node. The loader builds it from parser events
/// itself (rather than YamlDotNet's representation model) so it can refuse aliases, count nodes,
/// bound nesting and report duplicate keys at the second key instead of throwing.
/// </summary>
internal abstract class YNode(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>How the node reads in a message: "a mapping", "a list", "the text 'abc'".</summary>
    public abstract string Describe();
}

internal sealed class YScalar(SourceLocation location, string value, bool isPlain) : YNode(location)
{
    public string Value { get; } = value;

    /// <summary>
    /// Plain (unquoted) scalars are the only ones that may be numbers, booleans or null; a quoted
    /// <c>"32"</c> is text, as in the YAML core schema.
    /// </summary>
    public bool IsPlain { get; } = isPlain;

    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe()
    {
        if (IsNull) return "nothing (null)";
        var shown = MessageText.Printable(Value, 40);
        return IsPlain ? $"'{shown}'" : $"the text \"{shown}\"";
    }
}

internal sealed class YSequence(SourceLocation location, IReadOnlyList<YNode> items) : YNode(location)
{
    public IReadOnlyList<YNode> Items { get; } = items;

    public override string Describe() => "a list";
}

internal sealed class YMapping(SourceLocation location, IReadOnlyList<KeyValuePair<YScalar, YNode>> entries) : YNode(location)
{
    /// <summary>Entries in document order; keys are unique (duplicates are reported and dropped while reading).</summary>
    public IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries { get; } = entries;

    public override string Describe() => "a mapping";

    public KeyValuePair<YScalar, YNode>? Find(string key)
    {
        foreach (var entry in Entries)
            if (entry.Key.Value == key) return entry;
        return null;
    }
}
