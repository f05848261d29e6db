using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Optimizers;

/// <summary>
/// PyTorch's SGD step on one parameter. Inputs: w, g, and the momentum buffer when momentum ≠ 0.
/// The buffer is zero-initialised state, so the first step (step counter 0) copies the gradient
/// into it undamped, as PyTorch does when it creates the buffer. Plain SGD fused with a linear
/// weight gradient is <c>ad_linear_sgd_f32</c>.
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

    /// <summary>With momentum, the first step's special case becomes two per-step factors instead of a test per element.</summary>
    public override void EmitStepConstants(IKernelCallWriter c)
    {
        base.EmitStepConstants(c);
        if (Sgd.Momentum == 0) return;
        // Step 0: buf = 0·buf + 1·d = d exactly (buf starts at zero), PyTorch's undamped copy.
        c.Line($"const float {c.StepLocal("momentum")} = {c.StepCounter} == 0u ? 0.0f : {F(Sgd.Momentum)};");
        if (Sgd.Dampening != 0)
            c.Line($"const float {c.StepLocal("keep")} = {c.StepCounter} == 0u ? 1.0f : {F32(1f - (float)Sgd.Dampening)};");
    }

    public override string? PlainDescentRate(IKernelCallWriter c) =>
        Sgd.Momentum == 0 && Sgd.WeightDecay == 0 && L2 == 0 ? Lr(c) : null;

    public override void EmitElement(IKernelCallWriter c, string gradient, string index)
    {
        EmitRegularisedGradient(c, gradient, index, Sgd.WeightDecay);
        if (Sgd.Momentum != 0)
        {
            var buf = Element(c, 2, index);
            // Without dampening the gradient's factor is 1 on every step.
            var fresh = Sgd.Dampening != 0 ? $"{c.StepLocal("keep")} * d" : "d";
            c.Line($"const float b = AD_FMA({c.StepLocal("momentum")}, {buf}, {fresh});");
            c.Line($"{buf} = b;");
            c.Line(Sgd.Nesterov ? $"d = AD_FMA({F(Sgd.Momentum)}, b, d);" : "d = b;");
        }
        c.Line(Descend(c, index, Lr(c), "d"));
        c.Line("}");
    }
}
