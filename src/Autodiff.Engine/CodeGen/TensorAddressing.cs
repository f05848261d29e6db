using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Planning;

namespace Autodiff.Engine.CodeGen;

/// <summary>
/// Where each tensor lives, as a C expression: arena tensors at their planned offset, inputs and
/// targets inside the caller's buffers (one block of B samples per input, in declaration order),
/// frozen parameters in their <c>const</c> tables in flash.
/// </summary>
internal sealed class TensorAddressing
{
    private readonly MemoryPlan _plan;
    private readonly Dictionary<Tensor, string> _external = new();

    public TensorAddressing(TrainingGraph training, MemoryPlan plan, IReadOnlyDictionary<Tensor, string> frozenTables)
    {
        _plan = plan;
        AddBlocks(training.Graph.Inputs, "x");
        AddBlocks(training.Graph.Targets, "y");
        foreach (var (t, table) in frozenTables) _external[t] = table;
    }

    /// <summary>The macro giving a <c>float *</c> at a byte offset of the arena (offsets are 8-aligned).</summary>
    public const string ArenaMacro = "AD_AT";

    public string Ptr(Tensor t) =>
        _external.TryGetValue(t, out var e) ? e
        : _plan.TensorBuffers.TryGetValue(t, out var b) ? (t.ElementType == ElementType.Float32 ? Arena(b.Offset) : $"(({t.ElementType.CType()} *){Arena(b.Offset)})")
        : throw new InvalidOperationException($"tensor '{t.Name}' has no place in the plan");

    /// <summary>A <c>void *</c> to the node's planned working memory, or <c>NULL</c> when it has none.</summary>
    public string Scratch(Node node) =>
        _plan.ScratchBuffers.TryGetValue(node, out var b) ? $"((void *){Arena(b.Offset)})" : "NULL";

    /// <summary>Bytes of the node's planned working memory.</summary>
    public long ScratchBytes(Node node) => _plan.ScratchBuffers.TryGetValue(node, out var b) ? b.Bytes : 0;

    /// <summary>The file-scope C name of one item of a node's flash data (see <see cref="Ops.IFlashData"/>).</summary>
    public string FlashData(string model, Node node, string suffix) => $"{model}_n{node.Id}_{suffix}";

    public static string Arena(long offset) => $"{ArenaMacro}({CText.Unsigned(offset)})";

    private void AddBlocks(IEnumerable<Tensor> tensors, string pointer)
    {
        long offset = 0;
        foreach (var t in tensors)
        {
            _external[t] = offset == 0 ? pointer : $"({pointer} + {CText.Unsigned(offset)})";
            offset += t.Shape.Count;
        }
    }
}
