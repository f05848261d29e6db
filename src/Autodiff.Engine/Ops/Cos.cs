using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>cos: y = cos x; y′ = −sin x.</summary>
public sealed class CosOp : ElementwiseFunction
{
    public override string Keyword => "cos";
    public override DerivativeOf DerivativeOf => DerivativeOf.Input;
    public override T Apply<T>(T x) => T.Cos(x);
    public override T Derivative<T>(T x) => -T.Sin(x);
    public override string CApply(string x) => $"cosf({x})";
    public override string CDerivative(string x) => $"-sinf({x})";
}

public static class CosGraphExtensions
{
    public static Tensor Cos(this GraphBuilder g, Tensor x) => g.Apply(new CosOp(), x);
}
