using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>sin: y = sin x; y′ = cos x.</summary>
public sealed class SinOp : ElementwiseFunction
{
    public override string Keyword => "sin";
    public override DerivativeOf DerivativeOf => DerivativeOf.Input;
    public override T Apply<T>(T x) => T.Sin(x);
    public override T Derivative<T>(T x) => T.Cos(x);
    public override string CApply(string x) => $"sinf({x})";
    public override string CDerivative(string x) => $"cosf({x})";
}

public static class SinGraphExtensions
{
    public static Tensor Sin(this GraphBuilder g, Tensor x) => g.Apply(new SinOp(), x);
}
