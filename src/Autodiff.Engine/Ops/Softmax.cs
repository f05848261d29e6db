using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// softmax and log_softmax along one axis (the last by default), and their backward ops. Each views
// the tensor as [outer, n, inner] with n the normalised axis; kernels/*/softmax.c, one kernel per op
// taking (outer, n, inner).
//   softmax:      y = e^(x − max) / Σ e^(x − max)
//   log_softmax:  y = x − max − log Σ e^(x − max)

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

/// <summary>
/// Base of the four ops normalising along <see cref="Axis"/> (an axis of the whole tensor, batch
/// included; negative counts from the end). Forward ops take x; backward ops take (dy, y) with y the
/// forward output. The kernel is <c>ad_&lt;name&gt;_f32(inputs..., out, outer, n, inner)</c>.
/// </summary>
public abstract class AxisNormalizationOp(int axis) : Op
{
    public int Axis { get; } = axis;

    public override string KernelFamily => "softmax";
    public override string Describe() => Axis == -1 ? Name : $"{Name}(axis={Axis})";

    /// <summary>1 for the forward ops (x), 2 for the backward ops (dy, y).</summary>
    protected abstract int Arity { get; }

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count != Arity || s.Any(x => !x.Equals(s[0])) ? $"{Name} takes {(Arity == 1 ? "one tensor" : "dy and y of the same shape")}"
            : AxisSplit.Normalize(s[0], Axis) is null ? $"axis {Axis} is out of range for {s[0]}" : null;
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (outer, n, inner) = AxisSplit.Of(a.OutShape, Axis);
        for (var o = 0; o < outer; o++)
            for (var j = 0; j < inner; j++)
                Normalize(a, o * n * inner + j, n, inner);
    }

    /// <summary>Computes one vector: elements <c>start + i·stride</c> for i below n.</summary>
    protected abstract void Normalize<T>(EvalArgs<T> a, int start, int n, int stride) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>;

    /// <summary>The backward op of a forward op (taking dy and this op's output y); null for backward ops.</summary>
    protected virtual AxisNormalizationOp? GradientOp => null;

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        GradientOp is { } gradient
            ? [ctx.Builder.Apply(gradient, [ctx.GradOutput, ctx.Output], "grad." + ctx.Input(0).Name, null)]
            : base.Backward(ctx);

    public override void Emit(IKernelCallWriter c)
    {
        var (outer, n, inner) = AxisSplit.Of(c.Node.Out.Shape, Axis);
        c.Call($"ad_{Name}_f32", [.. Enumerable.Range(0, Arity).Select(c.In), c.Out, outer, n, inner]);
    }
}

public sealed class SoftmaxOp(int axis = -1) : AxisNormalizationOp(axis)
{
    public override string Name => "softmax";
    protected override int Arity => 1;

    protected override void Normalize<T>(EvalArgs<T> a, int start, int n, int stride)
    {
        var (x, y) = (a.In(0), a.Out);
        var max = x[start];
        for (var i = 1; i < n; i++) max = T.Max(max, x[start + i * stride]);
        var sum = T.Zero;
        for (var i = 0; i < n; i++)
        {
            var e = T.Exp(x[start + i * stride] - max);
            y[start + i * stride] = e;
            sum += e;
        }
        for (var i = 0; i < n; i++) y[start + i * stride] /= sum;
    }

    protected override AxisNormalizationOp GradientOp => new SoftmaxGradOp(Axis);
}

/// <summary>dx = y · (dy − Σ dy·y) along the axis.</summary>
public sealed class SoftmaxGradOp(int axis = -1) : AxisNormalizationOp(axis)
{
    public override string Name => "softmax_backward";
    protected override int Arity => 2;

    protected override void Normalize<T>(EvalArgs<T> a, int start, int n, int stride)
    {
        var (dy, y, dx) = (a.In(0), a.In(1), a.Out);
        var dot = T.Zero;
        for (var i = 0; i < n; i++) dot += dy[start + i * stride] * y[start + i * stride];
        for (var i = 0; i < n; i++)
        {
            var k = start + i * stride;
            dx[k] = y[k] * (dy[k] - dot);
        }
    }
}

public sealed class LogSoftmaxOp(int axis = -1) : AxisNormalizationOp(axis)
{
    public override string Name => "log_softmax";
    protected override int Arity => 1;

    protected override void Normalize<T>(EvalArgs<T> a, int start, int n, int stride)
    {
        var (x, y) = (a.In(0), a.Out);
        var max = x[start];
        for (var i = 1; i < n; i++) max = T.Max(max, x[start + i * stride]);
        var sum = T.Zero;
        for (var i = 0; i < n; i++) sum += T.Exp(x[start + i * stride] - max);
        var logSum = T.Log(sum);
        for (var i = 0; i < n; i++) y[start + i * stride] = x[start + i * stride] - max - logSum;
    }

    protected override AxisNormalizationOp GradientOp => new LogSoftmaxGradOp(Axis);
}

/// <summary>dx = dy − e^y · Σ dy along the axis.</summary>
public sealed class LogSoftmaxGradOp(int axis = -1) : AxisNormalizationOp(axis)
{
    public override string Name => "log_softmax_backward";
    protected override int Arity => 2;

    protected override void Normalize<T>(EvalArgs<T> a, int start, int n, int stride)
    {
        var (dy, y, dx) = (a.In(0), a.In(1), a.Out);
        var sum = T.Zero;
        for (var i = 0; i < n; i++) sum += dy[start + i * stride];
        for (var i = 0; i < n; i++)
        {
            var k = start + i * stride;
            dx[k] = dy[k] - T.Exp(y[k]) * sum;
        }
    }
}

public static class SoftmaxGraphExtensions
{
    /// <summary>Softmax along <paramref name="axis"/> of the whole tensor (batch is axis 0; default: the last axis).</summary>
    public static Tensor Softmax(this GraphBuilder g, Tensor x, int axis = -1) => g.Apply(new SoftmaxOp(axis), x);

    /// <summary>log-softmax along <paramref name="axis"/> of the whole tensor (batch is axis 0; default: the last axis).</summary>
    public static Tensor LogSoftmax(this GraphBuilder g, Tensor x, int axis = -1) => g.Apply(new LogSoftmaxOp(axis), x);
}
