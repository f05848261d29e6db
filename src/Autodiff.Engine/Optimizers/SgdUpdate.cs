using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Optimizers;

/// <summary>
/// PyTorch's SGD step on one parameter. Inputs: w, g, and the momentum buffer when momentum ≠ 0.
/// The buffer is zero-initialised state, so the first step (step counter 0) copies the gradient
/// into it undamped, as PyTorch does when it creates the buffer.
/// Kernel: <c>ad_sgd_f32</c>.
/// </summary>
public sealed class SgdUpdateOp(Sgd settings, double l2 = 0) : OptimizerUpdateOp(settings, l2)
{
    public Sgd Sgd => (Sgd)Settings;

    public override string Name => "sgd_update";
    public override IReadOnlyList<string> StateSuffixes => Sgd.Momentum != 0 ? [".momentum"] : [];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (w, g) = (a.In(0), a.In(1));
        var buf = StateCount == 1 ? a.In(2) : null;
        var lr = LearningRate(a);
        var twoL2 = TwoL2<T>();
        var weightDecay = Scalar<T>(Sgd.WeightDecay);
        var momentum = Scalar<T>(Sgd.Momentum);
        var keep = T.One - Scalar<T>(Sgd.Dampening);
        var first = a.Context.Step == 0;
        for (var i = 0; i < w.Length; i++)
        {
            var d = Regularised(g[i], w[i], twoL2, weightDecay);
            if (buf is not null)
            {
                var b = first ? d : momentum * buf[i] + keep * d;
                buf[i] = b;
                d = Sgd.Nesterov ? d + momentum * b : b;
            }
            w[i] -= lr * d;
        }
    }

    public override void EmitSpan(IKernelCallWriter c, string offset, string count, string gradient) =>
        c.Call("ad_sgd_f32", Span(c, 0, offset), gradient, StateCount == 1 ? Span(c, 2, offset) : "NULL", count,
            Lr(c), F(Sgd.Momentum), F(Sgd.Dampening), Sgd.Nesterov ? "1" : "0", F(Sgd.WeightDecay), F(L2), c.StepCounter);
}
