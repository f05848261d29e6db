using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>log: y = ln x (x &gt; 0); y′ = 1 / x.</summary>
public sealed class LogOp : ElementwiseFunction
{
    public override string Keyword => "log";
    public override DerivativeOf DerivativeOf => DerivativeOf.Input;
    public override T Apply<T>(T x) => T.Log(x);
    public override T Derivative<T>(T x) => T.One / x;
    public override string CApply(string x) => $"logf({x})";
    public override string CDerivative(string x) => $"1.0f / {x}";
}

public static class LogGraphExtensions
{
    public static Tensor Log(this GraphBuilder g, Tensor x) => g.Apply(new LogOp(), x);
}
