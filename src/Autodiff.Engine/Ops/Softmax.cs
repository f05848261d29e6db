using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// softmax over one axis: y = e^(x − max) / Σ e^(x − max) along that axis.
// The tensor is viewed as [outer, n, inner] with n the softmax axis; kernels/*/softmax.c.

/// <summary>How a tensor splits around one axis: <c>[outer, n, inner]</c> in row-major order.</summary>
public readonly record struct AxisSplit(int Outer, int Length, int Inner)
{
    /// <summary>Resolves a possibly negative axis of <paramref name="shape"/>; null when out of range.</summary>
    public static int? Normalize(Shape shape, int axis)
    {
        var a = axis < 0 ? shape.Rank + axis : axis;
        return a >= 0 && a < shape.Rank ? a : null;
    }

    public static AxisSplit Of(Shape shape, int axis)
    {
        var a = Normalize(shape, axis) ?? throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} of {shape}");
        int outer = 1, inner = 1;
        for (var i = 0; i < a; i++) outer *= shape[i];
        for (var i = a + 1; i < shape.Rank; i++) inner *= shape[i];
        return new AxisSplit(outer, shape[a], inner);
    }
}

/// <summary>Softmax along <see cref="Axis"/> (an axis of the whole tensor, batch included; negative counts from the end).</summary>
public sealed class SoftmaxOp(int axis = -1) : Op
{
    public int Axis { get; } = axis;

    public override string Name => "softmax";
    public override string Describe() => Axis == -1 ? Name : $"softmax(axis={Axis})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count != 1 ? "softmax takes one tensor"
            : AxisSplit.Normalize(s[0], Axis) is null ? $"axis {Axis} is out of range for {s[0]}" : null;
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        var (outer, n, inner) = AxisSplit.Of(a.OutShape, Axis);
        for (var o = 0; o < outer; o++)
            for (var j = 0; j < inner; j++)
            {
                var start = o * n * inner + j;
                var max = x[start];
                for (var i = 1; i < n; i++) max = T.Max(max, x[start + i * inner]);
                var sum = T.Zero;
                for (var i = 0; i < n; i++)
                {
                    var e = T.Exp(x[start + i * inner] - max);
                    y[start + i * inner] = e;
                    sum += e;
                }
                for (var i = 0; i < n; i++) y[start + i * inner] /= sum;
            }
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new SoftmaxGradOp(Axis), [ctx.GradOutput, ctx.Output], "grad." + ctx.Input(0).Name, null)];

    public override void Emit(IKernelCallWriter c)
    {
        var (outer, n, inner) = AxisSplit.Of(c.Node.Out.Shape, Axis);
        c.Call("ad_softmax_f32", c.In(0), c.Out, outer, n, inner);
    }
}

/// <summary>dx = y · (dy − Σ dy·y) along the axis, from the forward output y. Inputs: dy, y.</summary>
public sealed class SoftmaxGradOp(int axis = -1) : Op
{
    public int Axis { get; } = axis;

    public override string Name => "softmax_backward";
    public override string KernelFamily => "softmax";
    public override string Describe() => Axis == -1 ? Name : $"softmax_backward(axis={Axis})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(s[1]) && AxisSplit.Normalize(s[0], Axis) is not null
            ? null : "dy and y of the same shape expected";
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, y, dx) = (a.In(0), a.In(1), a.Out);
        var (outer, n, inner) = AxisSplit.Of(a.OutShape, Axis);
        for (var o = 0; o < outer; o++)
            for (var j = 0; j < inner; j++)
            {
                var start = o * n * inner + j;
                var dot = T.Zero;
                for (var i = 0; i < n; i++) dot += dy[start + i * inner] * y[start + i * inner];
                for (var i = 0; i < n; i++)
                {
                    var k = start + i * inner;
                    dx[k] = y[k] * (dy[k] - dot);
                }
            }
    }

    public override void Emit(IKernelCallWriter c)
    {
        var (outer, n, inner) = AxisSplit.Of(c.Node.Out.Shape, Axis);
        c.Call("ad_softmax_backward_f32", c.In(0), c.In(1), c.Out, outer, n, inner);
    }
}

public static class SoftmaxGraphExtensions
{
    /// <summary>Softmax along <paramref name="axis"/> of the whole tensor (batch is axis 0; default: the last axis).</summary>
    public static Tensor Softmax(this GraphBuilder g, Tensor x, int axis = -1) => g.Apply(new SoftmaxOp(axis), x);
}
