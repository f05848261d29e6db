using System.Globalization;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Model;

namespace Autodiff.Engine.Ops;

/// <summary>
/// leaky_relu: y = x for x &gt; 0, slope · x otherwise (<c>slope</c>, default 0.01). With a non-negative
/// slope the output keeps the input's sign and the derivative reads it (freeing the input); a
/// negative slope flips the sign, so the derivative reads the input.
/// </summary>
public sealed class LeakyReluOp(float slope = LeakyReluOp.DefaultSlope) : ElementwiseFunction
{
    public const float DefaultSlope = 0.01f;

    public float Slope { get; } = slope;

    public override string Keyword => "leaky_relu";
    public override string Describe() => $"leaky_relu(slope={R(Slope)})";

    public override IReadOnlyList<ArgRule> Arguments =>
        [new("slope", ArgKind.Float, Default: DefaultSlope.ToString("R", CultureInfo.InvariantCulture))];

    public override ElementwiseFunction Configure(LayerArgs args, DiagnosticBag diagnostics) =>
        new LeakyReluOp((float)(args.Float("slope", diagnostics) ?? DefaultSlope));

    public override DerivativeOf DerivativeOf => Slope >= 0 ? DerivativeOf.Output : DerivativeOf.Input;
    public override T Apply<T>(T x) => x > T.Zero ? x : T.CreateChecked(Slope) * x;
    public override T Derivative<T>(T saved) => saved > T.Zero ? T.One : T.CreateChecked(Slope);
    public override string CApply(string x) => $"{x} > 0.0f ? {x} : {F(Slope)} * {x}";
    public override string CDerivative(string saved) => $"{saved} > 0.0f ? 1.0f : {F(Slope)}";
}

public static class LeakyReluGraphExtensions
{
    public static Tensor LeakyRelu(this GraphBuilder g, Tensor x, float slope = LeakyReluOp.DefaultSlope) => g.Apply(new LeakyReluOp(slope), x);
}
