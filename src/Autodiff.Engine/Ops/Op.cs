using System.Numerics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>
/// An operation of the IR. Each op keeps its four facets side by side, so adding an op touches
/// one file: the shape rule, the reference evaluation (generic over double and float32), the
/// backward rule (expressed as more IR nodes) and the kernel binding (the C call it becomes).
/// Ops are immutable; their attributes are constructor arguments.
/// </summary>
public abstract class Op
{
    /// <summary>Short name, as in the model language where the op has a keyword (e.g. <c>sigmoid</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Name plus attributes, for comments in the generated C and for diagnostics.</summary>
    public virtual string Describe() => Name;

    /// <summary>
    /// The C kernel family (a file <c>kernels/&lt;impl&gt;/&lt;family&gt;.c</c>) implementing this op;
    /// kernel selection swaps whole families between implementations. Null for ops the generated
    /// code computes inline, with no kernel.
    /// </summary>
    public virtual string? KernelFamily => Name;

    /// <summary>The output shape for these input shapes, or null with a reason.</summary>
    public abstract Shape? InferShape(IReadOnlyList<Shape> inputs, out string? error);

    /// <summary>What the output's elements are; float32 except for the int8 ops and views of int8 tensors.</summary>
    public virtual ElementType OutputElementType(IReadOnlyList<Tensor> inputs) => ElementType.Float32;

    /// <summary>Computes the output from the inputs (update ops instead overwrite their updated inputs).</summary>
    public abstract void Evaluate<T>(EvalArgs<T> args) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The gradient of the loss with respect to each input, built as new nodes; null where
    /// <see cref="BackwardContext.NeedsGradient"/> is false. Ops that are never differentiated
    /// (backward helpers, updates) keep the default, which reports a defect in the engine.
    /// </summary>
    public virtual IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        throw new InvalidOperationException($"op '{Name}' has no backward rule");

    /// <summary>Writes the C statements that compute this node (calls into <see cref="KernelFamily"/>, or inline loops).</summary>
    public abstract void Emit(IKernelCallWriter c);

    /// <summary>
    /// Multiply-accumulates this node performs (products of a matrix, convolution or their
    /// gradients); 0 for ops that do no such products. The benchmark divides instructions by the
    /// step's total.
    /// </summary>
    public virtual long MultiplyAccumulates(Node node) => 0;

    /// <summary>True when the kernel tolerates its output sharing memory with input 0 (element-wise ops).</summary>
    public virtual bool CanRunInPlace => false;

    public override string ToString() => Describe();
}

/// <summary>What a reference evaluation sees: input buffers, the output buffer, shapes and the step.</summary>
public sealed class EvalArgs<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public EvalArgs(Node node, IReadOnlyList<T[]> inputs, T[]? output, EvalContext context)
    {
        Node = node;
        Inputs = inputs;
        Output = output;
        Context = context;
    }

    public Node Node { get; }
    public IReadOnlyList<T[]> Inputs { get; }
    public T[]? Output { get; }
    public EvalContext Context { get; }

    public T[] In(int i) => Inputs[i];
    public T[] Out => Output ?? throw new InvalidOperationException($"{Node.Op.Name} has no output");
    public Shape InShape(int i) => Node.Inputs[i].Shape;
    public Shape OutShape => Node.Out.Shape;
}

/// <summary>Per-call facts: how many training steps ran before this one, and whether this is training or prediction.</summary>
public sealed record EvalContext(long Step, bool Training);

/// <summary>What a backward rule sees.</summary>
public sealed class BackwardContext
{
    private readonly bool[] _needs;

    internal BackwardContext(GraphBuilder builder, Node node, Tensor? gradOutput, bool[] needs)
    {
        Builder = builder;
        Node = node;
        GradOutputOrNull = gradOutput;
        _needs = needs;
    }

    public GraphBuilder Builder { get; }
    public Node Node { get; }

    /// <summary>dLoss/dOutput; null only for the loss node itself, whose seed gradient is 1.</summary>
    public Tensor? GradOutputOrNull { get; }

    public Tensor GradOutput => GradOutputOrNull ?? throw new InvalidOperationException($"{Node.Op.Name} cannot be the loss");

    public Tensor Input(int i) => Node.Inputs[i];
    public Tensor Output => Node.Out;
    public bool NeedsGradient(int inputIndex) => _needs[inputIndex];
}

/// <summary>
/// How a kernel binding writes C. Implemented by the code generator, which knows where the planner
/// put each tensor. Arguments to <see cref="Call"/>: <c>int</c> → unsigned literal, <c>float</c>/<c>double</c>
/// → float literal, <c>string</c> → copied as is (an expression from <see cref="In"/>, <see cref="Out"/> ...).
/// </summary>
public interface IKernelCallWriter
{
    Node Node { get; }

    /// <summary>A <c>const float *</c> expression for input <paramref name="index"/>.</summary>
    string In(int index);

    /// <summary>A <c>float *</c> expression for the output.</summary>
    string Out { get; }

    /// <summary>A <c>float *</c> expression for any tensor (e.g. an updated parameter).</summary>
    string Ptr(Tensor tensor);

    /// <summary>A <c>uint32_t</c> expression: the number of training steps completed before this one.</summary>
    string StepCounter { get; }

    /// <summary>
    /// The name of a local of the training step holding a per-step value (<paramref name="what"/>:
    /// a learning rate, a bias correction); update nodes that share their per-step constants share
    /// these names.
    /// </summary>
    string StepLocal(string what);

    /// <summary>A <c>void *</c> expression for the node's planned working memory (<c>NULL</c> without).</summary>
    string Scratch => "NULL";

    /// <summary>Bytes at <see cref="Scratch"/>.</summary>
    long ScratchBytes => 0;

    /// <summary>The C name of an item the node's op wrote with <see cref="IFlashData"/>.</summary>
    string FlashData(string suffix) => throw new NotSupportedException($"{Node.Op.Name} has no flash data here");

    /// <summary>Emits <c>function(args);</c>.</summary>
    void Call(string function, params object[] args);

    /// <summary>The C expression <c>function(args)</c>, arguments formatted as for <see cref="Call"/>.</summary>
    string Expression(string function, params object[] args);

    /// <summary>Emits a raw C line (the loops ops write themselves).</summary>
    void Line(string code);
}

/// <summary>
/// An op that computes something else when predicting than when training (dropout is the
/// identity in prediction). The code generator calls this instead of <see cref="Op.Emit"/> in
/// <c>NAME_predict</c>.
/// </summary>
public interface IPredictionEmitter
{
    void EmitForPrediction(IKernelCallWriter c);
}
