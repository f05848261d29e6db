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
    private readonly string _flashPrefix;
    private readonly Dictionary<Tensor, string> _external = new();

    public TensorAddressing(TrainingGraph training, MemoryPlan plan, IReadOnlyDictionary<Tensor, string> frozenTables)
        : this(training.Graph, plan, frozenTables, "n")
    {
    }

    private TensorAddressing(ComputeGraph graph, MemoryPlan plan, IReadOnlyDictionary<Tensor, string> frozenTables, string flashPrefix)
    {
        _plan = plan;
        _flashPrefix = flashPrefix;
        AddBlocks(graph.Inputs, "x");
        AddBlocks(graph.Targets, "y");
        foreach (var (t, table) in frozenTables) _external[t] = table;
    }

    /// <summary>
    /// Addresses in <c>NAME_predict_one</c>: its plan (parameters at the training step's offsets), its
    /// one sample in <c>x</c>, and the training step's frozen tables, found by tensor name. Its flash
    /// data is named apart (<c>NAME_one_n&lt;node&gt;_…</c>) from the training step's.
    /// </summary>
    public static TensorAddressing ForSingleSample(SingleSampleGraph single, MemoryPlan singlePlan, IReadOnlyDictionary<Tensor, string> frozenTables)
    {
        var byName = frozenTables.ToDictionary(kv => kv.Key.Name, kv => kv.Value, StringComparer.Ordinal);
        var frozen = single.Graph.FrozenParameters.ToDictionary(t => t, t => byName.TryGetValue(t.Name, out var table) ? table
            : throw new InvalidOperationException($"frozen '{t.Name}' of the batch-1 pass has no table in the training step"));
        return new TensorAddressing(single.Graph, singlePlan, frozen, "one_n");
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
    public string FlashData(string model, Node node, string suffix) => $"{model}_{_flashPrefix}{node.Id}_{suffix}";

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
