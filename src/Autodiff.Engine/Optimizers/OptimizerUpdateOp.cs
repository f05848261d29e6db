using Autodiff.Engine.CodeGen;
using System.Numerics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Optimizers;

/// <summary>
/// Base of the optimizer update ops. A node's inputs are (parameter, gradient, state...) and it
/// overwrites the parameter and the state in place; it has no output. Updates run element-wise,
/// so any contiguous span can be updated on its own (<see cref="ISpanUpdate"/>), which lets the
/// code generator fuse an update with a tiled gradient. Kernels: kernels/*/optimizers.c.
/// </summary>
/// <remarks>
/// The loss's <c>l2: λ</c> term contributes its gradient here, d = g + 2λ·w, before weight decay
/// adds its own term, d += weight_decay·w; the backward graph never materialises it.
/// </remarks>
public abstract class OptimizerUpdateOp : Op, ISpanUpdate
{
    protected OptimizerUpdateOp(OptimizerSettings settings, double l2)
    {
        if (!double.IsFinite(l2) || l2 < 0) throw new ArgumentOutOfRangeException(nameof(l2), "l2 must be a non-negative number");
        var problems = settings.Validate();
        if (problems.Count > 0) throw new ArgumentException($"{settings.GetType().Name}: {string.Join("; ", problems)}", nameof(settings));
        Settings = settings;
        L2 = l2;
    }

    public OptimizerSettings Settings { get; }

    /// <summary>λ of the loss's L2 term; the update adds 2λ·w to the gradient.</summary>
    public double L2 { get; }

    public override string KernelFamily => "optimizers";

    /// <summary>
    /// Name suffixes of the state tensors the node takes after the gradient, in order; each is
    /// created per parameter as <c>&lt;parameter&gt;&lt;suffix&gt;</c>, with the parameter's shape.
    /// </summary>
    public abstract IReadOnlyList<string> StateSuffixes { get; }

    public int StateCount => StateSuffixes.Count;

    public override string Describe() =>
        $"{Name}(lr={Settings.Lr:G6}{(Settings.Schedule is ConstantLr ? "" : ", schedule=" + Settings.Schedule)}{(L2 != 0 ? $", l2={L2:G6}" : "")})";

    /// <summary>
    /// Checks that parameter, gradient and state agree in shape. Update nodes have no output,
    /// so the shape returned is the parameter's, which the update overwrites.
    /// </summary>
    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = null;
        if (s.Count != 2 + StateCount) error = $"{Name} takes a parameter, its gradient and {StateCount} state tensor(s)";
        else if (s.Skip(1).Any(x => !x.Equals(s[0]))) error = $"gradient and state must have the parameter's shape {s[0]}";
        return error is null ? s[0] : null;
    }

    public override void Emit(IKernelCallWriter c) =>
        EmitSpan(c, "0u", $"{c.Node.Input(0).Shape.Count}u", c.In(1));

    /// <summary>A scheduled learning rate becomes a local of the training step; a constant one stays a literal.</summary>
    public virtual void EmitStepConstants(IKernelCallWriter c)
    {
        if (Settings.Schedule is not ConstantLr)
            c.Line($"const float {StepLocal(c, "lr")} = {Settings.Schedule.CExpression(Settings.Lr, c.StepCounter)};");
    }

    /// <summary>The name of a per-step local of this update node, unique within the training step.</summary>
    protected static string StepLocal(IKernelCallWriter c, string what) => $"update{c.Node.Id}_{what}";

    public abstract void EmitSpan(IKernelCallWriter c, string offset, string count, string gradient);

    /// <summary>The learning rate of the current step, computed in double and rounded once, as in C.</summary>
    protected T LearningRate<T>(EvalArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.CreateChecked(Settings.LearningRate(a.Context.Step));

    /// <summary>The gradient element with the L2 and weight-decay terms added, in the kernels' order.</summary>
    protected static T Regularised<T>(T g, T w, T twoL2, T weightDecay) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (twoL2 != T.Zero) g += twoL2 * w;
        if (weightDecay != T.Zero) g += weightDecay * w;
        return g;
    }

    protected static T Scalar<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateChecked(value);

    /// <summary>2λ in the element type: λ is rounded first, as the kernel receives it as a float.</summary>
    protected T TwoL2<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.CreateChecked(2) * T.CreateChecked(L2);

    /// <summary>A <c>float *</c> to element <paramref name="offset"/> of the updated input <paramref name="input"/>.</summary>
    protected static string Span(IKernelCallWriter c, int input, string offset)
    {
        var p = c.Ptr(c.Node.Input(input));
        return offset == "0u" ? p : $"{p} + {offset}";
    }

    /// <summary>The learning rate of the current step as C: the local from <see cref="EmitStepConstants"/>, or a literal.</summary>
    protected string Lr(IKernelCallWriter c) => Settings.Schedule is ConstantLr ? F(Settings.Lr) : StepLocal(c, "lr");

    protected static string F(double value) => CText.Float(value);
}
