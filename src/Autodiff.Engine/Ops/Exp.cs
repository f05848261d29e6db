using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>exp: y = eˣ; y′ = y.</summary>
public sealed class ExpOp : ElementwiseFunction
{
    public override string Keyword => "exp";
    public override DerivativeOf DerivativeOf => DerivativeOf.Output;
    public override T Apply<T>(T x) => T.Exp(x);
    public override T Derivative<T>(T y) => y;
    public override string CApply(string x) => $"expf({x})";
    public override string CDerivative(string y) => y;
}

public static class ExpGraphExtensions
{
    public static Tensor Exp(this GraphBuilder g, Tensor x) => g.Apply(new ExpOp(), x);
}
