using System.Numerics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>
/// Base for ops applying the same scalar function to every element of one input: the output
/// has the input's shape, and the kernel may run in place. The kernel is called as
/// <c>ad_&lt;name&gt;_f32(x, y, n, extra...)</c>.
/// </summary>
public abstract class UnaryElementwiseOp : Op
{
    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 ? null : $"{Name} takes one input";
        return error is null ? s[0] : null;
    }

    public override bool CanRunInPlace => true;

    /// <summary>The scalar function.</summary>
    protected abstract T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Extra scalar arguments passed to the kernel after the element count.</summary>
    protected virtual object[] KernelArguments => [];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        for (var i = 0; i < x.Length; i++) y[i] = Apply(x[i]);
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call($"ad_{Name}_f32", [c.In(0), c.Out, c.Node.Out.Shape.Count, .. KernelArguments]);
}

/// <summary>
/// Base for the backward ops of element-wise functions: dx = dy ⊙ f'(saved), where saved is the
/// forward input or output (whichever gives the cheaper derivative). Inputs: dy, saved.
/// The kernel is called as <c>ad_&lt;name&gt;_f32(dy, saved, dx, n, extra...)</c>.
/// </summary>
public abstract class UnaryElementwiseGradOp : Op
{
    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(s[1]) ? null : $"{Name} takes dy and a saved tensor of the same shape";
        return error is null ? s[0] : null;
    }

    public override bool CanRunInPlace => true;

    /// <summary>The derivative f' expressed through the saved value.</summary>
    protected abstract T Derivative<T>(T saved) where T : unmanaged, IFloatingPointIeee754<T>;

    protected virtual object[] KernelArguments => [];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, saved, dx) = (a.In(0), a.In(1), a.Out);
        for (var i = 0; i < dy.Length; i++) dx[i] = dy[i] * Derivative(saved[i]);
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call($"ad_{Name}_f32", [c.In(0), c.In(1), c.Out, c.Node.Out.Shape.Count, .. KernelArguments]);
}
