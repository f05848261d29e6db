using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// log_softmax over one axis (the last by default): y = x − max(x) − log Σ e^(x − max(x)) along it.
// The tensor is viewed as [outer, n, inner]; the last axis (inner = 1) keeps its row kernels, any
// other axis uses the strided ones. Kernels: kernels/*/softmax.c.

/// <summary>log-softmax along <see cref="Axis"/> (an axis of the whole tensor, batch included; negative counts from the end).</summary>
public sealed class LogSoftmaxOp(int axis = -1) : Op
{
    public int Axis { get; } = axis;

    public override string Name => "log_softmax";
    public override string KernelFamily => "softmax";
    public override string Describe() => Axis == -1 ? Name : $"log_softmax(axis={Axis})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count != 1 || s[0].Rank < 1 ? "log_softmax takes one tensor"
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
                for (var i = 0; i < n; i++) sum += T.Exp(x[start + i * inner] - max);
                var logSum = T.Log(sum);
                for (var i = 0; i < n; i++) y[start + i * inner] = x[start + i * inner] - max - logSum;
            }
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new LogSoftmaxGradOp(Axis), [ctx.GradOutput, ctx.Output], "grad." + ctx.Input(0).Name, null)];

    public override void Emit(IKernelCallWriter c)
    {
        var (outer, n, inner) = AxisSplit.Of(c.Node.Out.Shape, Axis);
        if (inner == 1) c.Call("ad_log_softmax_f32", c.In(0), c.Out, outer, n);
        else c.Call("ad_log_softmax_axis_f32", c.In(0), c.Out, outer, n, inner);
    }
}

/// <summary>dx = dy − e^y · Σ dy along the axis, from the forward output y. Inputs: dy, y.</summary>
public sealed class LogSoftmaxGradOp(int axis = -1) : Op
{
    public int Axis { get; } = axis;

    public override string Name => "log_softmax_backward";
    public override string KernelFamily => "softmax";
    public override string Describe() => Axis == -1 ? Name : $"log_softmax_backward(axis={Axis})";

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
                var sum = T.Zero;
                for (var i = 0; i < n; i++) sum += dy[start + i * inner];
                for (var i = 0; i < n; i++)
                {
                    var k = start + i * inner;
                    dx[k] = dy[k] - T.Exp(y[k]) * sum;
                }
            }
    }

    public override void Emit(IKernelCallWriter c)
    {
        var (outer, n, inner) = AxisSplit.Of(c.Node.Out.Shape, Axis);
        if (inner == 1) c.Call("ad_log_softmax_backward_f32", c.In(0), c.In(1), c.Out, outer, n);
        else c.Call("ad_log_softmax_axis_backward_f32", c.In(0), c.In(1), c.Out, outer, n, inner);
    }
}

public static class LogSoftmaxGraphExtensions
{
    public static Tensor LogSoftmax(this GraphBuilder g, Tensor x) => g.Apply(new LogSoftmaxOp(), x);

    /// <summary>log-softmax along <paramref name="axis"/> of the whole tensor (batch is axis 0).</summary>
    public static Tensor LogSoftmax(this GraphBuilder g, Tensor x, int axis) => g.Apply(new LogSoftmaxOp(axis), x);
}
