using System.Globalization;
using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// The arguments of one layer (or loss, optimizer, schedule) keyword: each value with its
/// position, and typed getters that report a wrong type or range at that position (AD1015,
/// AD1016, AD1020, AD1034). The loader validates every argument of every keyword through these
/// getters and fills in schema defaults, so after a successful load a getter for a known
/// argument always succeeds; later stages still pass their <see cref="DiagnosticBag"/> so a
/// mistake there becomes a diagnostic and not an exception.
/// </summary>
/// <remarks>Getters return null when the argument is absent or invalid (invalid ones are reported).</remarks>
public sealed class LayerArgs
{
    private readonly IReadOnlyList<KeyValuePair<string, ArgValue>> _values;

    /// <param name="owner">The keyword the arguments belong to, for messages ("linear").</param>
    public LayerArgs(string owner, IEnumerable<KeyValuePair<string, ArgValue>> values)
    {
        Owner = owner;
        _values = values.ToList();
    }

    public static LayerArgs Empty(string owner) => new(owner, []);

    public string Owner { get; }

    /// <summary>Arguments in the order written (schema defaults follow the written ones).</summary>
    public IReadOnlyList<KeyValuePair<string, ArgValue>> All => _values;

    public IEnumerable<string> Names => _values.Select(v => v.Key);

    public ArgValue? this[string name] => _values.FirstOrDefault(v => v.Key == name).Value;

    public bool Has(string name) => this[name] is not null;

    public SourceLocation? LocationOf(string name) => this[name]?.Location;

    /// <summary>A copy with <paramref name="name"/> set (replacing an existing value).</summary>
    public LayerArgs With(string name, ArgValue value) =>
        new(Owner, _values.Where(v => v.Key != name).Append(new(name, value)));

    // ---- integers ---------------------------------------------------------------------------

    public int? Int(string name, DiagnosticBag diags, int? min = null, int? max = null) =>
        this[name] is { } v ? ReadInt(v, name, diags, min, max) : null;

    public int Int(string name, int fallback, DiagnosticBag diags, int? min = null, int? max = null) =>
        Int(name, diags, min, max) ?? fallback;

    /// <summary>A list of integers; with <paramref name="allowScalar"/> a single integer reads as a one-item list.</summary>
    public IReadOnlyList<int>? IntList(string name, DiagnosticBag diags, int? min = null, bool allowScalar = false)
    {
        if (this[name] is not { } v) return null;
        if (v.Kind == ArgValueKind.Scalar && allowScalar)
            return ReadInt(v, name, diags, min, null) is { } one ? [one] : null;
        if (v.Kind != ArgValueKind.List)
        {
            WrongType(v, name, allowScalar ? "an integer or a list of integers" : "a list of integers", diags);
            return null;
        }
        var result = new List<int>();
        var ok = true;
        foreach (var item in v.Items!)
        {
            if (ReadInt(item, name, diags, min, null) is { } i) result.Add(i);
            else ok = false;
        }
        return ok ? result : null;
    }

    /// <summary>
    /// An integer or a list of exactly <paramref name="length"/> integers; a single <c>k</c> means
    /// <c>k</c> in every position (<c>kernel: 3</c> is <c>kernel: [3, 3]</c>).
    /// </summary>
    public IReadOnlyList<int>? IntOrList(string name, int length, DiagnosticBag diags, int? min = null)
    {
        if (this[name] is not { } v) return null;
        if (v.Kind == ArgValueKind.Scalar)
            return ReadInt(v, name, diags, min, null) is { } k ? Enumerable.Repeat(k, length).ToList() : null;
        var list = IntList(name, diags, min);
        if (list is null) return null;
        if (list.Count != length)
        {
            diags.Error(ModelDiagnosticCodes.WrongType,
                $"{Owner} '{name}' needs one integer or a list of {length}; got a list of {list.Count}", v.Location);
            return null;
        }
        return list;
    }

    // ---- floats, booleans, choices ------------------------------------------------------------

    public double? Float(string name, DiagnosticBag diags, FloatRange? range = null) =>
        this[name] is { } v ? ReadFloat(v, name, diags, range) : null;

    public double Float(string name, double fallback, DiagnosticBag diags, FloatRange? range = null) =>
        Float(name, diags, range) ?? fallback;

    /// <summary>A list of numbers; with <paramref name="length"/> it must have exactly that many.</summary>
    public IReadOnlyList<double>? FloatList(string name, DiagnosticBag diags, FloatRange? range = null, int? length = null)
    {
        if (this[name] is not { } v) return null;
        if (v.Kind != ArgValueKind.List)
        {
            WrongType(v, name, length is { } n ? $"a list of {n} numbers" : "a list of numbers", diags);
            return null;
        }
        if (length is { } count && v.Items!.Count != count)
        {
            diags.Error(ModelDiagnosticCodes.WrongType,
                $"{Owner} '{name}' needs a list of {count} numbers; got {v.Items.Count}", v.Location);
            return null;
        }
        var result = new List<double>();
        var ok = true;
        foreach (var item in v.Items!)
        {
            if (ReadFloat(item, name, diags, range) is { } d) result.Add(d);
            else ok = false;
        }
        return ok ? result : null;
    }

    public bool? Bool(string name, DiagnosticBag diags)
    {
        if (this[name] is not { } v) return null;
        if (v.Kind == ArgValueKind.Scalar && v.IsPlain && ScalarText.TryBool(v.Text!, out var b)) return b;
        WrongType(v, name, "true or false", diags);
        return null;
    }

    public bool Bool(string name, bool fallback, DiagnosticBag diags) => Bool(name, diags) ?? fallback;

    /// <summary>One of <paramref name="choices"/>, compared exactly (choices are lowercase keywords).</summary>
    public string? Enum(string name, DiagnosticBag diags, params string[] choices)
    {
        if (this[name] is not { } v) return null;
        if (v.Kind != ArgValueKind.Scalar)
        {
            WrongType(v, name, "one of " + string.Join(", ", choices), diags);
            return null;
        }
        if (choices.Contains(v.Text!)) return v.Text;
        diags.Error(ModelDiagnosticCodes.InvalidChoice,
            $"{Owner} '{name}' must be one of {string.Join(", ", choices)}; got {v.Describe()}" + Suggest.Hint(v.Text!, choices),
            v.Location);
        return null;
    }

    /// <summary>Text (any scalar style); numbers written plainly are returned as their text.</summary>
    public string? Text(string name, DiagnosticBag diags)
    {
        if (this[name] is not { } v) return null;
        if (v.Kind == ArgValueKind.Scalar) return v.Text;
        WrongType(v, name, "a name or text", diags);
        return null;
    }

    // ---- readers shared by the getters --------------------------------------------------------

    private int? ReadInt(ArgValue v, string name, DiagnosticBag diags, int? min, int? max)
    {
        if (v.Kind != ArgValueKind.Scalar || !v.IsPlain)
        {
            WrongType(v, name, "an integer", diags);
            return null;
        }
        switch (ScalarText.TryInt(v.Text!, out var value))
        {
            case ScalarText.IntResult.NotInteger:
                WrongType(v, name, "an integer", diags);
                return null;
            case ScalarText.IntResult.TooLarge:
                TooLarge(v, name, diags);
                return null;
        }
        if (value is > int.MaxValue or < int.MinValue)
        {
            TooLarge(v, name, diags);
            return null;
        }
        if ((min is { } lo && value < lo) || (max is { } hi && value > hi))
        {
            var bound = (min, max) switch
            {
                (1, null) => "a positive integer",
                (0, null) => "an integer ≥ 0",
                ({ } a, null) => $"an integer ≥ {a}",
                (null, { } b) => $"an integer ≤ {b}",
                _ => $"an integer in [{min}, {max}]",
            };
            diags.Error(ModelDiagnosticCodes.OutOfRange, $"{Owner} '{name}' must be {bound}; got {value}", v.Location);
            return null;
        }
        return (int)value;
    }

    /// <summary>The smallest normal float32; smaller magnitudes lose precision or flush to zero on an FPU.</summary>
    private const double MinNormalFloat = 1.1754943508222875e-38;

    private double? ReadFloat(ArgValue v, string name, DiagnosticBag diags, FloatRange? range)
    {
        if (v.Kind != ArgValueKind.Scalar || !v.IsPlain || !ScalarText.TryFloat(v.Text!, out var value))
        {
            WrongType(v, name, "a finite number", diags);
            return null;
        }
        if (range is not null && !range.Contains(value))
        {
            diags.Error(ModelDiagnosticCodes.OutOfRange,
                $"{Owner} '{name}' must lie in {range}; got {value.ToString(CultureInfo.InvariantCulture)}", v.Location);
            return null;
        }
        // The generated C computes in float: a value float cannot hold would silently become inf or 0.
        if (Math.Abs(value) > float.MaxValue || (value != 0 && Math.Abs(value) < MinNormalFloat))
        {
            diags.Error(ModelDiagnosticCodes.OutOfRange,
                $"{Owner} '{name}' is {value.ToString(CultureInfo.InvariantCulture)}, which a 32-bit float cannot hold " +
                $"(magnitudes from {MinNormalFloat.ToString(CultureInfo.InvariantCulture)} to {float.MaxValue.ToString(CultureInfo.InvariantCulture)}, or 0)", v.Location);
            return null;
        }
        return value;
    }

    private void WrongType(ArgValue v, string name, string expected, DiagnosticBag diags) =>
        diags.Error(ModelDiagnosticCodes.WrongType, $"{Owner} '{name}' must be {expected}; got {v.Describe()}", v.Location);

    private void TooLarge(ArgValue v, string name, DiagnosticBag diags) =>
        diags.Error(ModelDiagnosticCodes.SizeOverflow,
            $"{Owner} '{name}' is {v.Describe()}, which does not fit a 32-bit integer", v.Location);
}
