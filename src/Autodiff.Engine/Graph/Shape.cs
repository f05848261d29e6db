namespace Autodiff.Engine.Graph;

/// <summary>
/// A tensor shape, row-major. Graph tensors carry the batch as their leading dimension
/// (model inputs declared as <c>[784]</c> become <c>[batch, 784]</c>); scalars have rank 0.
/// </summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] _dims;

    public Shape(params int[] dims)
    {
        foreach (var d in dims)
            if (d <= 0) throw new ArgumentOutOfRangeException(nameof(dims), "dimensions are positive");
        _dims = (int[])dims.Clone();
    }

    public static Shape Scalar { get; } = new();

    public IReadOnlyList<int> Dims => _dims;
    public int Rank => _dims.Length;
    public int this[int axis] => _dims[axis < 0 ? _dims.Length + axis : axis];

    /// <summary>Element count; shapes are validated at load time so this fits in 32 bits.</summary>
    public int Count
    {
        get
        {
            long n = 1;
            foreach (var d in _dims) n *= d;
            return checked((int)n);
        }
    }

    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>Row-major strides in elements.</summary>
    public int[] Strides()
    {
        var s = new int[_dims.Length];
        var acc = 1;
        for (var i = _dims.Length - 1; i >= 0; i--) { s[i] = acc; acc *= _dims[i]; }
        return s;
    }

    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    public override bool Equals(object? obj) => Equals(obj as Shape);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", _dims) + "]";
}
