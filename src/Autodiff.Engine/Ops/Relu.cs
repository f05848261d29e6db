using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>relu: y = max(x, 0). The output is positive exactly where the input is, so the derivative reads the output.</summary>
public sealed class ReluOp : ElementwiseFunction
{
    public override string Keyword => "relu";
    public override DerivativeOf DerivativeOf => DerivativeOf.Output;
    public override T Apply<T>(T x) => x > T.Zero ? x : T.Zero;
    public override T Derivative<T>(T y) => y > T.Zero ? T.One : T.Zero;
    public override string CApply(string x) => $"{x} > 0.0f ? {x} : 0.0f";
    public override string CDerivative(string y) => $"{y} > 0.0f ? 1.0f : 0.0f";

    /// <summary>ad_relu_f32 / ad_relu_backward_f32: CMSIS-NN has ReLU (arm_nn_activation_f32).</summary>
    public override bool HasKernel => true;
}

public static class ReluGraphExtensions
{
    public static Tensor Relu(this GraphBuilder g, Tensor x) => g.Apply(new ReluOp(), x);
}
