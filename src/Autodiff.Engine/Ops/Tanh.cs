using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>tanh: y = tanh x; y′ = 1 − y².</summary>
public sealed class TanhOp : ElementwiseFunction
{
    public override string Keyword => "tanh";
    public override DerivativeOf DerivativeOf => DerivativeOf.Output;
    public override T Apply<T>(T x) => T.Tanh(x);
    public override T Derivative<T>(T y) => T.One - y * y;
    public override string CApply(string x) => $"tanhf({x})";
    public override string CDerivative(string y) => $"1.0f - {y} * {y}";
}

public static class TanhGraphExtensions
{
    public static Tensor Tanh(this GraphBuilder g, Tensor x) => g.Apply(new TanhOp(), x);
}
