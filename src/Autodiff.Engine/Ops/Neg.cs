using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>neg: y = −x. Its gradient is the negated upstream gradient, one more neg.</summary>
public sealed class NegOp : ElementwiseFunction
{
    public override string Keyword => "neg";
    public override DerivativeOf DerivativeOf => DerivativeOf.Input;
    public override T Apply<T>(T x) => -x;
    public override T Derivative<T>(T x) => -T.One;
    public override string CApply(string x) => $"-{x}";
    public override string CDerivative(string x) => "-1.0f";

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new NegOp(), [ctx.GradOutputOrOne()], "grad." + ctx.Input(0).Name, null)];
}

public static class NegGraphExtensions
{
    public static Tensor Neg(this GraphBuilder g, Tensor x) => g.Apply(new NegOp(), x);
}
