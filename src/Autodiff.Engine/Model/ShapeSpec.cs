using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// A per-sample shape as written (<c>[28, 28, 1]</c>): the batch dimension is implicit and
/// never part of it. Every dimension is positive and the loader has checked that
/// batch × elements × 4 bytes fits in 2^31.
/// </summary>
public sealed record ShapeSpec(IReadOnlyList<int> Dims, IReadOnlyList<SourceLocation> DimLocations, SourceLocation Location)
{
    public int Rank => Dims.Count;

    /// <summary>Elements per sample.</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    public override string ToString() => "[" + string.Join(", ", Dims) + "]";
}
