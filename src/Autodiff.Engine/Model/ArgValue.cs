using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

public enum ArgValueKind { Null, Scalar, List, Mapping }

/// <summary>
/// One argument value as written in the model file, kept untyped so that later stages can ask
/// for the type they need and still point at the exact YAML node when it is wrong.
/// </summary>
/// <param name="Text">Scalar text (<see cref="ArgValueKind.Scalar"/> only).</param>
/// <param name="IsPlain">The scalar was unquoted; only plain scalars read as numbers or booleans.</param>
/// <param name="Items">List items (<see cref="ArgValueKind.List"/> only).</param>
/// <param name="IsDefault">Filled in by the loader from the schema default, not written by the user;
/// <see cref="Location"/> is then the layer's position.</param>
public sealed record ArgValue(
    ArgValueKind Kind,
    string? Text,
    bool IsPlain,
    IReadOnlyList<ArgValue>? Items,
    SourceLocation Location,
    bool IsDefault = false)
{
    public static ArgValue Default(string text, SourceLocation at) => new(ArgValueKind.Scalar, text, true, null, at, true);

    public static ArgValue DefaultList(IEnumerable<string> items, SourceLocation at) =>
        new(ArgValueKind.List, null, true, items.Select(i => Default(i, at)).ToList(), at, true);

    internal static ArgValue From(YNode node) => node switch
    {
        YScalar s when s.IsNull => new(ArgValueKind.Null, null, true, null, s.Location),
        YScalar s => new(ArgValueKind.Scalar, s.Value, s.IsPlain, null, s.Location),
        YSequence q => new(ArgValueKind.List, null, true, q.Items.Select(From).ToList(), q.Location),
        _ => new(ArgValueKind.Mapping, null, true, null, node.Location),
    };

    /// <summary>How the value reads in a message.</summary>
    public string Describe() => Kind switch
    {
        ArgValueKind.Null => "nothing (null)",
        ArgValueKind.List => "a list",
        ArgValueKind.Mapping => "a mapping",
        _ when IsPlain => $"'{ModelNames.Printable(Text!)}'",
        _ => $"the text \"{ModelNames.Printable(Text!)}\"",
    };
}
