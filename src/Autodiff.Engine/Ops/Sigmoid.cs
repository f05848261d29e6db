using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>sigmoid: y = 1 / (1 + e^−x), split on the sign so the exponential never overflows; y′ = y(1 − y).</summary>
public sealed class SigmoidOp : ElementwiseFunction
{
    public override string Keyword => "sigmoid";
    public override DerivativeOf DerivativeOf => DerivativeOf.Output;

    public override T Apply<T>(T x)
    {
        if (x >= T.Zero) return T.One / (T.One + T.Exp(-x));
        var e = T.Exp(x);
        return e / (T.One + e);
    }

    public override T Derivative<T>(T y) => y * (T.One - y);

    // e^−|x| is e^−x for x ≥ 0 and e^x otherwise: the one exponential both branches need.
    public override string? CApplyLocal(string x) => $"const float e = expf(-fabsf({x}));";
    public override string CApply(string x) => $"{x} >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e)";
    public override string CDerivative(string y) => $"{y} * (1.0f - {y})";
}

public static class SigmoidGraphExtensions
{
    public static Tensor Sigmoid(this GraphBuilder g, Tensor x) => g.Apply(new SigmoidOp(), x);
}
