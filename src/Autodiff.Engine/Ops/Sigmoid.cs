using System.Numerics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Logistic sigmoid, y = 1 / (1 + e^-x), evaluated without overflow for large |x|.
// Kernels: kernels/*/activations.c.

public sealed class SigmoidOp : UnaryElementwiseOp
{
    public override string Name => "sigmoid";
    public override string KernelFamily => "activations";

    protected override T Apply<T>(T x)
    {
        if (x >= T.Zero) return T.One / (T.One + T.Exp(-x));
        var e = T.Exp(x);
        return e / (T.One + e);
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new SigmoidGradOp(), [ctx.GradOutput, ctx.Output], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · y · (1 − y), from the forward output y.</summary>
public sealed class SigmoidGradOp : UnaryElementwiseGradOp
{
    public override string Name => "sigmoid_backward";
    public override string KernelFamily => "activations";
    protected override T Derivative<T>(T y) => y * (T.One - y);
}

public static class SigmoidGraphExtensions
{
    public static Tensor Sigmoid(this GraphBuilder g, Tensor x) => g.Apply(new SigmoidOp(), x);
}
