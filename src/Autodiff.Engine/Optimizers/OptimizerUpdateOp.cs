using Autodiff.Engine.CodeGen;
using System.Numerics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Optimizers;

/// <summary>
/// Base of the optimizer update ops. A node's inputs are (parameter, gradient, state...) and it
/// overwrites the parameter and the state in place; it has no output. Updates run element-wise,
/// one element at a time (<see cref="IElementUpdate"/>): the code generator writes the update as a loop
/// specialised to the settings (no test of an option that is off, hyper-parameters as literals), and a
/// fused weight gradient applies it to each gradient value as it is formed. Per-step scalars come
/// from kernels/*/optimizers.c.
/// </summary>
/// <remarks>
/// The loss's <c>l2: λ</c> term contributes its gradient here, d = g + 2λ·w, before weight decay
/// adds its own term, d += weight_decay·w; the backward graph never materialises it.
/// </remarks>
public abstract class OptimizerUpdateOp : Op, IElementUpdate
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

    /// <summary>The update on its own (its gradient stored): one specialised loop over the parameter.</summary>
    public override void Emit(IKernelCallWriter c)
    {
        c.Line($"for (size_t k = 0; k < {c.Node.Input(0).Shape.Count}u; ++k) {{");
        EmitElement(c, $"{c.In(1)}[k]", "k");
        c.Line("}");
    }

    /// <summary>A scheduled learning rate becomes a local of the training step; a constant one stays a literal.</summary>
    public virtual void EmitStepConstants(IKernelCallWriter c)
    {
        if (Settings.Schedule is not ConstantLr)
            c.Line($"const float {c.StepLocal("lr")} = {Settings.Schedule.CExpression(Settings.Lr, c.StepCounter)};");
    }

    /// <summary>The per-step constants depend on the settings alone (rates, schedule, betas), not on the parameter.</summary>
    public object StepConstantsKey => Settings;

    public abstract void EmitElement(IKernelCallWriter c, string gradient, string index);

    public virtual string? PlainDescentRate(IKernelCallWriter c) => null;

    /// <summary>
    /// Opens the element's block and declares <c>float d</c>, the gradient with the L2 and weight-decay
    /// terms added in the interpreter's order; each term only when its coefficient is not zero.
    /// </summary>
    protected void EmitRegularisedGradient(IKernelCallWriter c, string gradient, string index, double weightDecay)
    {
        c.Line("{");
        c.Line($"float d = {gradient};");
        if (L2 != 0) c.Line($"d = AD_FMA({F32(2f * (float)L2)}, {Element(c, 0, index)}, d);");
        if (weightDecay != 0) c.Line($"d = AD_FMA({F(weightDecay)}, {Element(c, 0, index)}, d);");
    }

    /// <summary>Element <paramref name="index"/> of input <paramref name="input"/> (the parameter or a state tensor) as a C lvalue.</summary>
    protected static string Element(IKernelCallWriter c, int input, string index) => $"{c.Ptr(c.Node.Input(input))}[{index}]";

    /// <summary>The learning rate of the current step, computed in double and rounded once, as in C.</summary>
    protected T LearningRate<T>(EvalArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.CreateChecked(Settings.LearningRate(a.Context.Step));

    /// <summary>The gradient element with the L2 and weight-decay terms added, in the generated code's order.</summary>
    protected static T Regularised<T>(T g, T w, T twoL2, T weightDecay) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (twoL2 != T.Zero) g += twoL2 * w;
        if (weightDecay != T.Zero) g += weightDecay * w;
        return g;
    }

    protected static T Scalar<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateChecked(value);

    /// <summary>2λ in the element type: λ is rounded first, as the generated code's float literal is.</summary>
    protected T TwoL2<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.CreateChecked(2) * T.CreateChecked(L2);

    /// <summary>The learning rate of the current step as C: the local from <see cref="EmitStepConstants"/>, or a literal.</summary>
    protected string Lr(IKernelCallWriter c) => Settings.Schedule is ConstantLr ? F(Settings.Lr) : c.StepLocal("lr");

    /// <summary>
    /// The statement w = w − <paramref name="rate"/>·<paramref name="step"/> for element <paramref name="index"/>,
    /// one fused multiply-add where the FPU has one (the updates' multiply-adds all are: on a
    /// Cortex-M4F a VFMA is one instruction where a multiply and an add are two).
    /// </summary>
    protected static string Descend(IKernelCallWriter c, string index, string rate, string step) =>
        $"{Element(c, 0, index)} = AD_FMA(-{rate}, {step}, {Element(c, 0, index)});";

    protected static string F(double value) => CText.Float(value);

    /// <summary>A literal of a value computed in float arithmetic, as the kernels and the interpreter compute it.</summary>
    protected static string F32(float value) => CText.Float(value);
}
