using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Optimizers;

/// <summary>
/// PyTorch's Adam step on one parameter (weight decay added to the gradient, not AdamW).
/// Inputs: w, g, m (first moment), v (second moment). Bias correction uses t = step + 1; the
/// step-only factors lr / (1 − β1^t) and √(1 − β2^t) are computed in double and rounded once,
/// as <c>ad_adam_bias_correction_f32</c> does once per training step.
/// </summary>
public sealed class AdamUpdateOp(Adam settings, double l2 = 0) : OptimizerUpdateOp(settings, l2)
{
    public Adam Adam => (Adam)Settings;

    public override string Name => "adam_update";
    public override IReadOnlyList<string> StateSuffixes => [".exp_avg", ".exp_avg_sq"];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (w, g, m, v) = (a.In(0), a.In(1), a.In(2), a.In(3));
        var lr = LearningRate(a);
        var beta1 = Scalar<T>(Adam.Beta1);
        var beta2 = Scalar<T>(Adam.Beta2);
        var eps = Scalar<T>(Adam.Eps);
        var t = (double)a.Context.Step + 1.0;
        // Powers of the betas as the element type holds them (a float in C), evaluated in double.
        var stepSize = T.CreateChecked(double.CreateChecked(lr) / (1.0 - Math.Pow(double.CreateChecked(beta1), t)));
        var bc2Sqrt = T.CreateChecked(Math.Sqrt(1.0 - Math.Pow(double.CreateChecked(beta2), t)));
        var twoL2 = TwoL2<T>();
        var weightDecay = Scalar<T>(Adam.WeightDecay);
        var oneMinusBeta1 = T.One - beta1;
        var oneMinusBeta2 = T.One - beta2;
        for (var i = 0; i < w.Length; i++)
        {
            var d = Regularised(g[i], w[i], twoL2, weightDecay);
            m[i] = beta1 * m[i] + oneMinusBeta1 * d;
            v[i] = beta2 * v[i] + oneMinusBeta2 * d * d;
            w[i] -= stepSize * m[i] / (T.Sqrt(v[i]) / bc2Sqrt + eps);
        }
    }

    /// <summary>The bias corrections depend only on the step: computed once per training step, in double.</summary>
    public override void EmitStepConstants(IKernelCallWriter c)
    {
        base.EmitStepConstants(c);
        var (stepSize, bias2Sqrt) = (c.StepLocal("step_size"), c.StepLocal("bias2_sqrt"));
        c.Line($"float {stepSize}, {bias2Sqrt};");
        c.Call("ad_adam_bias_correction_f32", Lr(c), F(Adam.Beta1), F(Adam.Beta2), c.StepCounter, "&" + stepSize, "&" + bias2Sqrt);
    }

    public override void EmitElement(IKernelCallWriter c, string gradient, string index)
    {
        EmitRegularisedGradient(c, gradient, index, Adam.WeightDecay);
        var (m, v) = (Element(c, 2, index), Element(c, 3, index));
        c.Line($"const float m = AD_FMA({F(Adam.Beta1)}, {m}, {F32(1f - (float)Adam.Beta1)} * d);");
        c.Line($"const float v = AD_FMA({F(Adam.Beta2)}, {v}, {F32(1f - (float)Adam.Beta2)} * d * d);");
        c.Line($"{m} = m;");
        c.Line($"{v} = v;");
        c.Line(Descend(c, index, c.StepLocal("step_size"), $"m / (sqrtf(v) / {c.StepLocal("bias2_sqrt")} + {F(Adam.Eps)})"));
        c.Line("}");
    }
}
