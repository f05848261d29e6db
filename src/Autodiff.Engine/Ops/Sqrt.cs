using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>sqrt: y = √x (x ≥ 0); y′ = 0.5 / y.</summary>
public sealed class SqrtOp : ElementwiseFunction
{
    public override string Keyword => "sqrt";
    public override DerivativeOf DerivativeOf => DerivativeOf.Output;
    public override T Apply<T>(T x) => T.Sqrt(x);
    public override T Derivative<T>(T y) => T.CreateChecked(0.5) / y;
    public override string CApply(string x) => $"sqrtf({x})";
    public override string CDerivative(string y) => $"0.5f / {y}";
}

public static class SqrtGraphExtensions
{
    public static Tensor Sqrt(this GraphBuilder g, Tensor x) => g.Apply(new SqrtOp(), x);
}
