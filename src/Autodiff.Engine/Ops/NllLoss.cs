using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Negative log-likelihood on log-probabilities with one-hot (or soft) targets over the last axis,
// mean over rows (every leading index, as PyTorch and cross_entropy do):
// loss = −(1/rows) Σ_r Σ_c target[r,c] · logp[r,c]. Kernels: kernels/*/losses.c.

/// <summary>Inputs: logp [B,C...], target of the same shape; output: scalar.</summary>
public sealed class NllLossOp : Op
{
    public override string Name => "nll";
    public override string KernelFamily => "losses";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(s[1]) ? null : "nll needs log-probabilities and a target of the same shape";
        return error is null ? Shape.Scalar : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (logp, target) = (a.In(0), a.In(1));
        var sum = T.Zero;
        for (var i = 0; i < logp.Length; i++) sum += target[i] * logp[i];
        a.Out[0] = -sum / T.CreateChecked(Rows(a.InShape(0)));
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        Tensor[] inputs = ctx.GradOutputOrNull is { } upstream ? [ctx.Input(1), upstream] : [ctx.Input(1)];
        return [ctx.Builder.Apply(new NllLossGradOp(), inputs, "grad." + ctx.Input(0).Name, null), null];
    }

    public override void Emit(IKernelCallWriter c)
    {
        var s = c.Node.Input(0).Shape;
        c.Call("ad_nll_loss_f32", c.In(0), c.In(1), c.Out, Rows(s), s[-1]);
    }

    /// <summary>The rows the loss averages over: every index but the last (class) axis.</summary>
    internal static int Rows(Shape s) => s.Count / s[-1];
}

/// <summary>dlogp = −target / rows (times the upstream scalar when given). Inputs: target [, upstream scalar].</summary>
public sealed class NllLossGradOp : Op
{
    public override string Name => "nll_backward";
    public override string KernelFamily => "losses";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 || (s.Count == 2 && s[1].Rank == 0) ? null : "target and an optional scalar expected";
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (target, d) = (a.In(0), a.Out);
        var scale = (a.Inputs.Count == 2 ? a.In(1)[0] : T.One) / T.CreateChecked(NllLossOp.Rows(a.InShape(0)));
        for (var i = 0; i < d.Length; i++) d[i] = -target[i] * scale;
    }

    public override void Emit(IKernelCallWriter c)
    {
        var s = c.Node.Input(0).Shape;
        c.Call("ad_nll_loss_backward_f32", c.In(0), c.Node.Inputs.Count == 2 ? c.In(1) : "NULL", c.Out, NllLossOp.Rows(s), s[-1]);
    }
}

public static class NllLossGraphExtensions
{
    public static Tensor NllLoss(this GraphBuilder g, Tensor logProbabilities, Tensor target) =>
        g.Apply(new NllLossOp(), logProbabilities, target);
}
