using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Element-wise sum of two tensors of the same shape; also how the autodiff adds up the
// gradient contributions of a tensor used several times. Kernels: kernels/*/elementwise.c.

public sealed class AddOp : Op
{
    public override string Name => "add";
    public override string KernelFamily => "elementwise";
    public override bool CanRunInPlace => true;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(s[1]) ? null : $"add needs two tensors of the same shape";
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y, z) = (a.In(0), a.In(1), a.Out);
        for (var i = 0; i < z.Length; i++) z[i] = x[i] + y[i];
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.NeedsGradient(0) ? ctx.GradOutput : null, ctx.NeedsGradient(1) ? ctx.GradOutput : null];

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_add_f32", c.In(0), c.In(1), c.Out, c.Node.Out.Shape.Count);
}

public static class AddGraphExtensions
{
    public static Tensor Add(this GraphBuilder g, Tensor a, Tensor b) => g.Apply(new AddOp(), a, b);
}
