namespace Autodiff.Engine.Model;

/// <summary>The element type stored in a <c>.npy</c> file; values are always handed out as float32.</summary>
public enum NpyDataType { Float32, Float64 }

/// <summary>The contents of a <c>.npy</c> file: shape (C order) and values converted to float32.</summary>
public sealed record NpyArray(IReadOnlyList<int> Shape, ReadOnlyMemory<float> Data, NpyDataType StoredAs)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    public override string ToString() => "[" + string.Join(", ", Shape) + "]";
}
