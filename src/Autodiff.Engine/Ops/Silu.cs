using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>
/// silu (swish): y = x · σ(x), σ the logistic sigmoid evaluated without overflow;
/// y′ = σ(x) · (1 + x · (1 − σ(x))), from the input.
/// </summary>
public sealed class SiluOp : ElementwiseFunction
{
    public override string Keyword => "silu";
    public override DerivativeOf DerivativeOf => DerivativeOf.Input;

    public override T Apply<T>(T x) => x * Sigmoid(x);

    public override T Derivative<T>(T x)
    {
        var s = Sigmoid(x);
        return s * (T.One + x * (T.One - s));
    }

    private static T Sigmoid<T>(T x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var e = T.Exp(-T.Abs(x));
        return x >= T.Zero ? T.One / (T.One + e) : e / (T.One + e);
    }

    public override string? CApplyLocal(string x) => $"const float e = expf(-fabsf({x}));";
    public override string CApply(string x) => $"{x} * ({x} >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e))";

    // σ(x) = 1 / (1 + e^−x): e^−x overflows to infinity for very negative x, giving σ = 0 as it should.
    public override string CDerivative(string x) => $"(1.0f / (1.0f + expf(-{x}))) * (1.0f + {x} * (1.0f - 1.0f / (1.0f + expf(-{x}))))";
}

public static class SiluGraphExtensions
{
    public static Tensor Silu(this GraphBuilder g, Tensor x) => g.Apply(new SiluOp(), x);
}
