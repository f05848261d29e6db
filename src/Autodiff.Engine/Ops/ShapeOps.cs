using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Ops that only relabel the shape of row-major data: reshape, flatten, squeeze, unsqueeze.
// The output holds the same floats in the same order, so the kernel is a copy that does nothing
// when the planner places the output on the input (CanRunInPlace); the gradient is dy reshaped
// back. (`broadcast` really moves data and lives in Broadcasting.cs.) Kernels: kernels/*/shape.c.

/// <summary>Base of the shape-only ops: copies x to y (a no-op in place), gradient = dy reshaped to x's shape.</summary>
public abstract class ViewOp : Op
{
    public override string KernelFamily => "shape";
    public override bool CanRunInPlace => true;

    /// <summary>The output shape for input <paramref name="x"/>, or null with a reason.</summary>
    protected abstract Shape? Reshape(Shape x, out string? error);

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count != 1) { error = $"{Name} takes one tensor"; return null; }
        var shape = Reshape(s[0], out error);
        if (shape is not null && shape.Count != s[0].Count)
        {
            error = $"{s[0]} has {s[0].Count} elements, {shape} has {shape.Count}";
            return null;
        }
        return shape;
    }

    public override void Evaluate<T>(EvalArgs<T> a) => Array.Copy(a.In(0), a.Out, a.Out.Length);

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new ReshapeOp(ctx.Input(0).Shape), [ctx.GradOutputOrOne()], "grad." + ctx.Input(0).Name, null)];

    /// <summary>A view of int8 data is int8 data (quantised backbones flatten their feature maps).</summary>
    public override ElementType OutputElementType(IReadOnlyList<Tensor> inputs) => inputs[0].ElementType;

    public override void Emit(IKernelCallWriter c)
    {
        if (c.Node.Out.ElementType == ElementType.Int8) c.Call("ad_copy_s8", c.In(0), c.Out, c.Node.Out.Shape.Count);
        else c.Call("ad_copy_f32", c.In(0), c.Out, c.Node.Out.Shape.Count);
    }
}

/// <summary>Gives x the full shape <see cref="Target"/> (same element count).</summary>
public sealed class ReshapeOp(Shape target) : ViewOp
{
    public Shape Target { get; } = target;
    public override string Name => "reshape";
    public override string Describe() => $"reshape{Target}";
    protected override Shape? Reshape(Shape x, out string? error) { error = null; return Target; }

    /// <summary>
    /// The full target shape for a per-sample shape as written in the model language: the batch
    /// axis of <paramref name="x"/> stays first, and at most one −1 takes the remaining extent.
    /// </summary>
    public static Shape? FromPerSample(Shape x, IReadOnlyList<int> perSample, out string? error)
    {
        error = null;
        if (x.Rank == 0) { error = "a scalar has no batch axis to keep"; return null; }
        var rest = x.Count / x[0];
        var unknown = perSample.Count(d => d == -1);
        if (unknown > 1 || perSample.Any(d => d == 0 || d < -1)) { error = $"[{string.Join(", ", perSample)}] is not a valid shape (positive extents, at most one -1)"; return null; }
        long known = perSample.Where(d => d > 0).Aggregate(1L, (n, d) => n * d);
        var dims = perSample.ToArray();
        if (unknown == 1)
        {
            if (rest % known != 0) { error = $"{rest} elements per sample do not divide into [{string.Join(", ", perSample)}]"; return null; }
            dims[Array.IndexOf(dims, -1)] = (int)(rest / known);
        }
        else if (known != rest) { error = $"{rest} elements per sample do not fit [{string.Join(", ", perSample)}] ({known})"; return null; }
        return new Shape([x[0], .. dims]);
    }
}

/// <summary>[B, d1, d2, ...] → [B, d1·d2·...]: keeps the batch axis, flattens the rest.</summary>
public sealed class FlattenOp : ViewOp
{
    public override string Name => "flatten";

    protected override Shape? Reshape(Shape x, out string? error)
    {
        error = x.Rank >= 1 ? null : "flatten needs a batch axis";
        return error is null ? new Shape(x[0], x.Count / x[0]) : null;
    }
}

/// <summary>
/// Removes axes of extent 1: the listed full-tensor axes, or without a list every extent-1 axis
/// after the first, because axis 0 is the batch and a batch of 1 must not vanish.
/// </summary>
public sealed class SqueezeOp(IReadOnlyList<int>? axes = null) : ViewOp
{
    public IReadOnlyList<int>? Axes { get; } = axes?.ToArray();
    public override string Name => "squeeze";
    public override string Describe() => Axes is null ? "squeeze" : $"squeeze(axes=[{string.Join(", ", Axes)}])";

    protected override Shape? Reshape(Shape x, out string? error)
    {
        bool[] drop;
        if (Axes is null)
            drop = Enumerable.Range(0, x.Rank).Select(i => i > 0 && x[i] == 1).ToArray();
        else
        {
            var flags = ReductionAxes.Flags(Axes, x.Rank, out error);
            if (flags is null) return null;
            var wide = Enumerable.Range(0, x.Rank).FirstOrDefault(i => flags[i] && x[i] != 1, -1);
            if (wide >= 0) { error = $"axis {wide} of {x} has extent {x[wide]}, not 1"; return null; }
            drop = flags;
        }
        error = null;
        return new Shape(Enumerable.Range(0, x.Rank).Where(i => !drop[i]).Select(i => x[i]).ToArray());
    }
}

/// <summary>Inserts axes of extent 1 at the listed positions of the output (full-tensor axes; negative count from the output's end).</summary>
public sealed class UnsqueezeOp(IReadOnlyList<int> axes) : ViewOp
{
    public IReadOnlyList<int> Axes { get; } = axes.ToArray();
    public override string Name => "unsqueeze";
    public override string Describe() => $"unsqueeze(axes=[{string.Join(", ", Axes)}])";

    protected override Shape? Reshape(Shape x, out string? error)
    {
        if (Axes.Count == 0) { error = "unsqueeze needs at least one axis"; return null; }
        var rank = x.Rank + Axes.Count;
        if (rank > Broadcasting.MaxRank) { error = $"rank {rank} is above the supported {Broadcasting.MaxRank}"; return null; }
        var flags = ReductionAxes.Flags(Axes, rank, out error);
        if (flags is null) return null;
        var dims = new int[rank];
        var next = 0;
        for (var i = 0; i < rank; i++) dims[i] = flags[i] ? 1 : x[next++];
        return new Shape(dims);
    }
}

public static class ShapeGraphExtensions
{
    /// <summary>Reshapes to a full shape (batch included).</summary>
    public static Tensor Reshape(this GraphBuilder g, Tensor x, Shape target) => g.Apply(new ReshapeOp(target), x);

    /// <summary>Reshapes each sample to <paramref name="perSampleShape"/> (one extent may be −1), keeping the batch axis.</summary>
    public static Tensor Reshape(this GraphBuilder g, Tensor x, params int[] perSampleShape)
    {
        var target = ReshapeOp.FromPerSample(x.Shape, perSampleShape, out var error);
        if (target is null)
            throw new GraphBuildException(new Diagnostic(GraphBuilder.ShapeMismatchCode, Severity.Error,
                $"reshape cannot take '{x.Name}' {x.Shape}: {error}", g.CurrentSource));
        return g.Reshape(x, target);
    }

    public static Tensor Flatten(this GraphBuilder g, Tensor x) => g.Apply(new FlattenOp(), x);

    /// <summary>Removes extent-1 axes (full-tensor axes); without axes, every extent-1 axis but the batch.</summary>
    public static Tensor Squeeze(this GraphBuilder g, Tensor x, params int[] axes) =>
        g.Apply(new SqueezeOp(axes.Length == 0 ? null : axes), x);

    /// <summary>Inserts extent-1 axes at the given output positions (full-tensor axes).</summary>
    public static Tensor Unsqueeze(this GraphBuilder g, Tensor x, params int[] axes) => g.Apply(new UnsqueezeOp(axes), x);
}
