using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>
/// A weight-gradient op whose every element can be formed where it is consumed. The planner fuses
/// such an op with the optimizer update of the parameter it differentiates: each gradient value is
/// summed in registers and applied at once, so the gradient is never stored, not even in part.
/// </summary>
public interface IFusedGradient
{
    /// <summary>
    /// Emits C that applies <paramref name="update"/> to every element of this node's output,
    /// each gradient value formed just before its update.
    /// </summary>
    void EmitFused(IKernelCallWriter c, BoundUpdate update);
}

/// <summary>
/// An optimizer update that works one element at a time, so a fused gradient can apply it to each
/// value as it is formed. Inputs are (parameter, gradient, state...).
/// </summary>
public interface IElementUpdate
{
    /// <summary>
    /// Emits declarations of the values every element shares within one training step (the step's
    /// learning rate, bias corrections), named by <see cref="IKernelCallWriter.StepLocal"/>; the code
    /// generator emits them once per <see cref="StepConstantsKey"/>, at the top of the step.
    /// </summary>
    void EmitStepConstants(IKernelCallWriter c);

    /// <summary>Updates with equal keys have equal per-step constants, computed once for all of them.</summary>
    object StepConstantsKey { get; }

    /// <summary>
    /// Emits statements updating element <paramref name="index"/> (a <c>size_t</c> expression) of the
    /// parameter and its state with <paramref name="gradient"/>, a C expression evaluated once.
    /// </summary>
    void EmitElement(IKernelCallWriter c, string gradient, string index);

    /// <summary>
    /// The learning rate (a C expression) when the update is plain gradient descent, w −= lr·g with
    /// no state and no regularisation, so a fused gradient may call a kernel that applies exactly that;
    /// null otherwise.
    /// </summary>
    string? PlainDescentRate(IKernelCallWriter c);
}

/// <summary>An update node's <see cref="IElementUpdate"/> bound to the writer of that node.</summary>
public sealed class BoundUpdate(IElementUpdate update, IKernelCallWriter writer)
{
    /// <summary>A <c>float *</c> expression for the parameter being updated.</summary>
    public string Parameter => writer.In(0);

    /// <inheritdoc cref="IElementUpdate.PlainDescentRate"/>
    public string? PlainDescentRate => update.PlainDescentRate(writer);

    /// <inheritdoc cref="IElementUpdate.EmitElement"/>
    public void Element(string gradient, string index) => update.EmitElement(writer, gradient, index);
}
