using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// log_softmax over the last axis: y = x − max(x) − log Σ e^(x − max(x)), row by row.
// Kernels: kernels/*/softmax.c.

public sealed class LogSoftmaxOp : Op
{
    public override string Name => "log_softmax";
    public override string KernelFamily => "softmax";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 && s[0].Rank >= 1 ? null : "log_softmax takes one tensor";
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        var n = a.OutShape[-1];
        for (var r = 0; r < x.Length / n; r++)
        {
            var row = r * n;
            var max = x[row];
            for (var i = 1; i < n; i++) max = T.Max(max, x[row + i]);
            var sum = T.Zero;
            for (var i = 0; i < n; i++) sum += T.Exp(x[row + i] - max);
            var logSum = T.Log(sum);
            for (var i = 0; i < n; i++) y[row + i] = x[row + i] - max - logSum;
        }
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new LogSoftmaxGradOp(), [ctx.GradOutput, ctx.Output], "grad." + ctx.Input(0).Name, null)];

    public override void Emit(IKernelCallWriter c)
    {
        var n = c.Node.Out.Shape[-1];
        c.Call("ad_log_softmax_f32", c.In(0), c.Out, c.Node.Out.Shape.Count / n, n);
    }
}

/// <summary>dx = dy − e^y · Σ dy, row by row, from the forward output y. Inputs: dy, y.</summary>
public sealed class LogSoftmaxGradOp : Op
{
    public override string Name => "log_softmax_backward";
    public override string KernelFamily => "softmax";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(s[1]) ? null : "dy and y of the same shape expected";
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, y, dx) = (a.In(0), a.In(1), a.Out);
        var n = a.OutShape[-1];
        for (var r = 0; r < dy.Length / n; r++)
        {
            var row = r * n;
            var sum = T.Zero;
            for (var i = 0; i < n; i++) sum += dy[row + i];
            for (var i = 0; i < n; i++) dx[row + i] = dy[row + i] - T.Exp(y[row + i]) * sum;
        }
    }

    public override void Emit(IKernelCallWriter c)
    {
        var n = c.Node.Out.Shape[-1];
        c.Call("ad_log_softmax_backward_f32", c.In(0), c.In(1), c.Out, c.Node.Out.Shape.Count / n, n);
    }
}

public static class LogSoftmaxGraphExtensions
{
    public static Tensor LogSoftmax(this GraphBuilder g, Tensor x) => g.Apply(new LogSoftmaxOp(), x);
}
