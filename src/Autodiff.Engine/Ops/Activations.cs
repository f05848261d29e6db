using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Piecewise and saturating element-wise activations: relu, leaky_relu, tanh.
// Kernels: kernels/*/activations.c. Each backward op names the saved tensor it reads, so the
// planner can let the forward run in place when that tensor is the output.

/// <summary>y = max(x, 0).</summary>
public sealed class ReluOp : UnaryElementwiseOp
{
    public override string Name => "relu";
    public override string KernelFamily => "activations";

    protected override T Apply<T>(T x) => x > T.Zero ? x : T.Zero;

    // y > 0 exactly where x > 0, so the output is enough and the input may be overwritten.
    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new ReluGradOp(), [ctx.GradOutput, ctx.Output], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · [y &gt; 0], from the forward output y.</summary>
public sealed class ReluGradOp : UnaryElementwiseGradOp
{
    public override string Name => "relu_backward";
    public override string KernelFamily => "activations";
    protected override T Derivative<T>(T y) => y > T.Zero ? T.One : T.Zero;
}

/// <summary>y = x for x &gt; 0, slope · x otherwise.</summary>
public sealed class LeakyReluOp(float slope = 0.01f) : UnaryElementwiseOp
{
    public float Slope { get; } = slope;

    public override string Name => "leaky_relu";
    public override string KernelFamily => "activations";
    public override string Describe() => $"leaky_relu(slope={Slope:R})";

    protected override object[] KernelArguments => [Slope];

    protected override T Apply<T>(T x) => x > T.Zero ? x : T.CreateChecked(Slope) * x;

    // With a non-negative slope the output keeps the input's sign, so it can stand in for the
    // input (freeing it); a negative slope flips the sign and needs the input itself.
    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var saved = Slope >= 0 ? ctx.Output : ctx.Input(0);
        return [ctx.Builder.Apply(new LeakyReluGradOp(Slope), [ctx.GradOutput, saved], "grad." + ctx.Input(0).Name, null)];
    }
}

/// <summary>dx = dy · (saved &gt; 0 ? 1 : slope); saved is the output for slope ≥ 0, the input otherwise.</summary>
public sealed class LeakyReluGradOp(float slope) : UnaryElementwiseGradOp
{
    public float Slope { get; } = slope;

    public override string Name => "leaky_relu_backward";
    public override string KernelFamily => "activations";
    public override string Describe() => $"leaky_relu_backward(slope={Slope:R})";

    protected override object[] KernelArguments => [Slope];

    protected override T Derivative<T>(T saved) => saved > T.Zero ? T.One : T.CreateChecked(Slope);
}

/// <summary>y = tanh(x).</summary>
public sealed class TanhOp : UnaryElementwiseOp
{
    public override string Name => "tanh";
    public override string KernelFamily => "activations";

    protected override T Apply<T>(T x) => T.Tanh(x);

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new TanhGradOp(), [ctx.GradOutput, ctx.Output], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · (1 − y²), from the forward output y.</summary>
public sealed class TanhGradOp : UnaryElementwiseGradOp
{
    public override string Name => "tanh_backward";
    public override string KernelFamily => "activations";
    protected override T Derivative<T>(T y) => T.One - y * y;
}

public static class ActivationGraphExtensions
{
    public static Tensor Relu(this GraphBuilder g, Tensor x) => g.Apply(new ReluOp(), x);

    public static Tensor LeakyRelu(this GraphBuilder g, Tensor x, float slope = 0.01f) => g.Apply(new LeakyReluOp(slope), x);

    public static Tensor Tanh(this GraphBuilder g, Tensor x) => g.Apply(new TanhOp(), x);
}
