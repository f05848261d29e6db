using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Losses on (prediction, target) of the same shape, each returning a scalar mean as PyTorch's
// default reduction='mean' does (kernels/*/losses.c):
//   cross_entropy    on logits, soft/one-hot targets over the last axis, mean over rows (every
//                    index but the class axis; B for [B, classes]):
//                      −(1/rows) Σ_rows Σ_c t_c · log_softmax(x)_c
//   mse              mean over ALL elements (B·k for [B, k], not B): (1/N) Σ (x − t)²
//   bce_with_logits  mean over all elements: (1/N) Σ max(x,0) − x·t + log(1 + e^−|x|)
//   hinge            mean over all elements, targets ±1: (1/N) Σ max(0, 1 − t·x)
// Each gradient op takes the forward inputs and, when the loss feeds further nodes, the upstream
// scalar dL/dloss (absent for the loss itself, whose seed is 1).

/// <summary>Base of the losses: shape rule (two equal shapes → scalar) and the backward wiring.</summary>
public abstract class LossOp : Op
{
    public override string KernelFamily => "losses";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(s[1]) && s[0].Rank >= 1 ? null : $"{Name} needs a prediction and a target of the same shape";
        return error is null ? Shape.Scalar : null;
    }

    /// <summary>The gradient op with respect to the prediction.</summary>
    protected abstract Op GradientOp();

    /// <summary>
    /// The gradient op with respect to the target, when it is defined here; targets are model inputs,
    /// so only a loss between two computed tensors needs it.
    /// </summary>
    protected virtual (Op Op, bool SwapInputs)? TargetGradientOp() => null;

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var upstream = ctx.GradOutputOrNull;
        Tensor Build(Op op, Tensor first, Tensor second, Tensor named) =>
            ctx.Builder.Apply(op, upstream is null ? [first, second] : [first, second, upstream], "grad." + named.Name, null);

        var grads = new Tensor?[2];
        if (ctx.NeedsGradient(0)) grads[0] = Build(GradientOp(), ctx.Input(0), ctx.Input(1), ctx.Input(0));
        if (ctx.NeedsGradient(1))
        {
            var (op, swap) = TargetGradientOp() ?? throw new InvalidOperationException(
                $"{Name}: the target '{ctx.Input(1).Name}' must not depend on trainable parameters");
            grads[1] = swap ? Build(op, ctx.Input(1), ctx.Input(0), ctx.Input(1)) : Build(op, ctx.Input(0), ctx.Input(1), ctx.Input(1));
        }
        return grads;
    }
}

/// <summary>Base of the loss gradients: inputs (prediction, target [, upstream scalar]); output shaped like the prediction.</summary>
public abstract class LossGradOp : Op
{
    public override string KernelFamily => "losses";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = (s.Count == 2 || (s.Count == 3 && s[2].Rank == 0)) && s[0].Equals(s[1]) && s[0].Rank >= 1
            ? null : "prediction, target of the same shape and an optional scalar expected";
        return error is null ? s[0] : null;
    }

    protected static T Upstream<T>(EvalArgs<T> a) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        a.Inputs.Count == 3 ? a.In(2)[0] : T.One;

    protected static string UpstreamPointer(IKernelCallWriter c) => c.Node.Inputs.Count == 3 ? c.In(2) : "NULL";
}

/// <summary>Cross-entropy on logits over the last axis, log-softmax fused in. Inputs: logits, target.</summary>
public sealed class CrossEntropyLossOp : LossOp
{
    public override string Name => "cross_entropy";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, t) = (a.In(0), a.In(1));
        var n = a.InShape(0)[-1];
        var rows = x.Length / n;
        var sum = T.Zero;
        for (var r = 0; r < rows; r++)
        {
            var row = r * n;
            var max = x[row];
            for (var i = 1; i < n; i++) max = T.Max(max, x[row + i]);
            var e = T.Zero;
            for (var i = 0; i < n; i++) e += T.Exp(x[row + i] - max);
            var logSum = T.Log(e);
            for (var i = 0; i < n; i++) sum += t[row + i] * (x[row + i] - max - logSum);
        }
        a.Out[0] = -sum / T.CreateChecked(rows);
    }

    protected override Op GradientOp() => new CrossEntropyLossGradOp();

    public override void Emit(IKernelCallWriter c)
    {
        var s = c.Node.Input(0).Shape;
        c.Call("ad_cross_entropy_loss_f32", c.In(0), c.In(1), c.Out, s.Count / s[-1], s[-1]);
    }
}

/// <summary>
/// dx = (softmax(x) · Σ_c t_c − t) / rows · upstream, row by row; for one-hot or probability targets
/// (Σ t = 1) this is the familiar (softmax − t) / rows. Softmax is recomputed from the logits.
/// </summary>
public sealed class CrossEntropyLossGradOp : LossGradOp
{
    public override string Name => "cross_entropy_backward";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, t, dx) = (a.In(0), a.In(1), a.Out);
        var n = a.InShape(0)[-1];
        var rows = x.Length / n;
        var scale = Upstream(a) / T.CreateChecked(rows);
        for (var r = 0; r < rows; r++)
        {
            var row = r * n;
            var max = x[row];
            for (var i = 1; i < n; i++) max = T.Max(max, x[row + i]);
            T e = T.Zero, mass = T.Zero;
            for (var i = 0; i < n; i++)
            {
                e += T.Exp(x[row + i] - max);
                mass += t[row + i];
            }
            for (var i = 0; i < n; i++)
                dx[row + i] = (T.Exp(x[row + i] - max) / e * mass - t[row + i]) * scale;
        }
    }

    public override void Emit(IKernelCallWriter c)
    {
        var s = c.Node.Input(0).Shape;
        c.Call("ad_cross_entropy_loss_backward_f32", c.In(0), c.In(1), UpstreamPointer(c), c.Out, s.Count / s[-1], s[-1]);
    }
}

/// <summary>Mean squared error over every element. Inputs: prediction, target.</summary>
public sealed class MseLossOp : LossOp
{
    public override string Name => "mse";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, t) = (a.In(0), a.In(1));
        var sum = T.Zero;
        for (var i = 0; i < x.Length; i++)
        {
            var d = x[i] - t[i];
            sum += d * d;
        }
        a.Out[0] = sum / T.CreateChecked(x.Length);
    }

    protected override Op GradientOp() => new MseLossGradOp();

    // The loss is symmetric in its operands: the target's gradient is the same op with them swapped.
    protected override (Op Op, bool SwapInputs)? TargetGradientOp() => (new MseLossGradOp(), true);

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_mse_loss_f32", c.In(0), c.In(1), c.Out, c.Node.Input(0).Shape.Count);
}

/// <summary>dx = 2 (x − t) / N · upstream.</summary>
public sealed class MseLossGradOp : LossGradOp
{
    public override string Name => "mse_backward";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, t, dx) = (a.In(0), a.In(1), a.Out);
        var scale = T.CreateChecked(2) * Upstream(a) / T.CreateChecked(x.Length);
        for (var i = 0; i < x.Length; i++) dx[i] = (x[i] - t[i]) * scale;
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_mse_loss_backward_f32", c.In(0), c.In(1), UpstreamPointer(c), c.Out, c.Node.Input(0).Shape.Count);
}

/// <summary>Binary cross-entropy on logits, sigmoid fused in, mean over every element. Inputs: logits, target.</summary>
public sealed class BceWithLogitsLossOp : LossOp
{
    public override string Name => "bce_with_logits";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, t) = (a.In(0), a.In(1));
        var sum = T.Zero;
        for (var i = 0; i < x.Length; i++)
            sum += T.Max(x[i], T.Zero) - x[i] * t[i] + T.Log(T.One + T.Exp(-T.Abs(x[i])));
        a.Out[0] = sum / T.CreateChecked(x.Length);
    }

    protected override Op GradientOp() => new BceWithLogitsLossGradOp();

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_bce_with_logits_loss_f32", c.In(0), c.In(1), c.Out, c.Node.Input(0).Shape.Count);
}

/// <summary>dx = (sigmoid(x) − t) / N · upstream.</summary>
public sealed class BceWithLogitsLossGradOp : LossGradOp
{
    public override string Name => "bce_with_logits_backward";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, t, dx) = (a.In(0), a.In(1), a.Out);
        var scale = Upstream(a) / T.CreateChecked(x.Length);
        for (var i = 0; i < x.Length; i++)
        {
            T s;
            if (x[i] >= T.Zero) s = T.One / (T.One + T.Exp(-x[i]));
            else
            {
                var e = T.Exp(x[i]);
                s = e / (T.One + e);
            }
            dx[i] = (s - t[i]) * scale;
        }
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_bce_with_logits_loss_backward_f32", c.In(0), c.In(1), UpstreamPointer(c), c.Out, c.Node.Input(0).Shape.Count);
}

/// <summary>Hinge (max-margin) loss for targets ±1, mean over every element. Inputs: prediction, target.</summary>
public sealed class HingeLossOp : LossOp
{
    public override string Name => "hinge";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, t) = (a.In(0), a.In(1));
        var sum = T.Zero;
        for (var i = 0; i < x.Length; i++)
        {
            var margin = T.One - t[i] * x[i];
            if (margin > T.Zero) sum += margin;
        }
        a.Out[0] = sum / T.CreateChecked(x.Length);
    }

    protected override Op GradientOp() => new HingeLossGradOp();

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_hinge_loss_f32", c.In(0), c.In(1), c.Out, c.Node.Input(0).Shape.Count);
}

/// <summary>dx = −t / N · upstream where the margin 1 − t·x is positive, else 0 (the subgradient 0 at the kink).</summary>
public sealed class HingeLossGradOp : LossGradOp
{
    public override string Name => "hinge_backward";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, t, dx) = (a.In(0), a.In(1), a.Out);
        var scale = Upstream(a) / T.CreateChecked(x.Length);
        for (var i = 0; i < x.Length; i++)
            dx[i] = T.One - t[i] * x[i] > T.Zero ? -t[i] * scale : T.Zero;
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_hinge_loss_backward_f32", c.In(0), c.In(1), UpstreamPointer(c), c.Out, c.Node.Input(0).Shape.Count);
}

public static class LossGraphExtensions
{
    /// <summary>Cross-entropy of logits against one-hot or probability targets over the last axis.</summary>
    public static Tensor CrossEntropyLoss(this GraphBuilder g, Tensor logits, Tensor target) =>
        g.Apply(new CrossEntropyLossOp(), logits, target);

    /// <summary>Mean squared error, averaged over every element (PyTorch's default).</summary>
    public static Tensor MseLoss(this GraphBuilder g, Tensor prediction, Tensor target) =>
        g.Apply(new MseLossOp(), prediction, target);

    public static Tensor BceWithLogitsLoss(this GraphBuilder g, Tensor logits, Tensor target) =>
        g.Apply(new BceWithLogitsLossOp(), logits, target);

    /// <summary>Hinge loss for targets ±1, averaged over every element.</summary>
    public static Tensor HingeLoss(this GraphBuilder g, Tensor prediction, Tensor target) =>
        g.Apply(new HingeLossOp(), prediction, target);
}
