using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Element-wise sum with NumPy-style broadcasting (BinaryArithmetic.cs); also how the autodiff adds
// up the gradient contributions of a tensor used several times, where both operands always have
// the same shape and the flat kernel ad_add_f32 runs. Kernels: kernels/*/elementwise.c.

public sealed class AddOp : BinaryArithmeticOp
{
    public override string Name => "add";
    protected override T Apply<T>(T a, T b) => a + b;

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var dz = ctx.GradOutputOrOne();
        return
        [
            ctx.NeedsGradient(0) ? Broadcasting.ReduceTo(ctx.Builder, dz, ctx.Input(0)) : null,
            ctx.NeedsGradient(1) ? Broadcasting.ReduceTo(ctx.Builder, dz, ctx.Input(1)) : null,
        ];
    }
}

public static class AddGraphExtensions
{
    public static Tensor Add(this GraphBuilder g, Tensor a, Tensor b) => g.Apply(new AddOp(), a, b);
}
