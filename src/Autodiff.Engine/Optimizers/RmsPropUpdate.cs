using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Optimizers;

/// <summary>
/// PyTorch's RMSprop step (not centered) on one parameter. Inputs: w, g, the running average of
/// squared gradients, and the momentum buffer when momentum ≠ 0. Both start at zero, as in
/// PyTorch, so no step needs special treatment.
/// </summary>
public sealed class RmsPropUpdateOp(RmsProp settings, double l2 = 0) : OptimizerUpdateOp(settings, l2)
{
    public RmsProp RmsProp => (RmsProp)Settings;

    public override string Name => "rmsprop_update";
    public override IReadOnlyList<string> StateSuffixes => RmsProp.Momentum != 0 ? [".square_avg", ".momentum"] : [".square_avg"];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (w, g, squareAvg) = (a.In(0), a.In(1), a.In(2));
        var buf = StateCount == 2 ? a.In(3) : null;
        var lr = LearningRate(a);
        var alpha = Scalar<T>(RmsProp.Alpha);
        var oneMinusAlpha = T.One - alpha;
        var eps = Scalar<T>(RmsProp.Eps);
        var momentum = Scalar<T>(RmsProp.Momentum);
        var twoL2 = TwoL2<T>();
        var weightDecay = Scalar<T>(RmsProp.WeightDecay);
        for (var i = 0; i < w.Length; i++)
        {
            var d = Regularised(g[i], w[i], twoL2, weightDecay);
            squareAvg[i] = alpha * squareAvg[i] + oneMinusAlpha * d * d;
            var avg = T.Sqrt(squareAvg[i]) + eps;
            if (buf is not null)
            {
                buf[i] = momentum * buf[i] + d / avg;
                w[i] -= lr * buf[i];
            }
            else
            {
                w[i] -= lr * (d / avg);
            }
        }
    }

    public override void EmitElement(IKernelCallWriter c, string gradient, string index)
    {
        EmitRegularisedGradient(c, gradient, index, RmsProp.WeightDecay);
        var squareAvg = Element(c, 2, index);
        c.Line($"const float s = AD_FMA({F(RmsProp.Alpha)}, {squareAvg}, {F32(1f - (float)RmsProp.Alpha)} * d * d);");
        c.Line($"{squareAvg} = s;");
        c.Line($"const float avg = sqrtf(s) + {F(RmsProp.Eps)};");
        if (StateCount == 2)
        {
            var buf = Element(c, 3, index);
            c.Line($"const float b = AD_FMA({F(RmsProp.Momentum)}, {buf}, d / avg);");
            c.Line($"{buf} = b;");
            c.Line(Descend(c, index, Lr(c), "b"));
        }
        else
        {
            c.Line(Descend(c, index, Lr(c), "d / avg"));
        }
        c.Line("}");
    }
}
