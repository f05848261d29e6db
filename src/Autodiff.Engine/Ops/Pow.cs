using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Model;

namespace Autodiff.Engine.Ops;

/// <summary>
/// pow: y = x^p for a constant exponent (<c>pow: { exponent: 2 }</c>, required); y′ = p · x^(p−1).
/// A tensor exponent is not supported: x^b is exp(b · log x), which the graph already expresses.
/// For non-integer p, x must be positive.
/// </summary>
public sealed class PowOp(float exponent = 1f) : ElementwiseFunction
{
    public float Exponent { get; } = exponent;

    public override string Keyword => "pow";
    public override string Describe() => $"pow(p={R(Exponent)})";

    public override IReadOnlyList<ArgRule> Arguments => [new("exponent", ArgKind.Float, Required: true)];

    public override ElementwiseFunction Configure(LayerArgs args, DiagnosticBag diagnostics) =>
        new PowOp((float)(args.Float("exponent", diagnostics) ?? 1));

    public override DerivativeOf DerivativeOf => DerivativeOf.Input;
    public override T Apply<T>(T x) => T.Pow(x, T.CreateChecked(Exponent));

    // x^0 is constant: its derivative is 0 everywhere, including x = 0 where p·x^(p−1) is 0·∞.
    public override T Derivative<T>(T x)
    {
        if (Exponent == 0) return T.Zero;
        var p = T.CreateChecked(Exponent);
        return p * T.Pow(x, p - T.One);
    }

    public override string CApply(string x) => $"powf({x}, {F(Exponent)})";
    public override string CDerivative(string x) => Exponent == 0 ? "0.0f" : $"{F(Exponent)} * powf({x}, {F(Exponent - 1f)})";
}

public static class PowGraphExtensions
{
    /// <summary>x^<paramref name="exponent"/>, element-wise, for a constant exponent.</summary>
    public static Tensor Pow(this GraphBuilder g, Tensor x, float exponent) => g.Apply(new PowOp(exponent), x);
}
