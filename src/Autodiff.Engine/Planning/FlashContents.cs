using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Planning;

/// <summary>
/// What a model puts in flash besides code: the tables of its frozen int8 layers (weights, int32
/// biases, requantisation), its frozen float32 weights, and the initial values of its trainable
/// parameters (copied into the arena by <c>NAME_init</c>). The arena is RAM and counted by the plan.
/// </summary>
public sealed record FlashContents(long Int8LayerBytes, long FrozenFloatBytes, long InitialValueBytes)
{
    public long TotalBytes => Int8LayerBytes + FrozenFloatBytes + InitialValueBytes;

    public static FlashContents Of(MemoryPlan plan)
    {
        var nodes = plan.Steps.SelectMany(s => s.Nodes).ToList();
        var tensors = nodes.SelectMany(n => n.Inputs).Distinct().ToList();
        return new FlashContents(
            nodes.Select(n => n.Op).OfType<IFlashData>().Sum(d => d.FlashBytes),
            tensors.Where(t => t.Role == TensorRole.FrozenParameter).Sum(t => t.Bytes),
            tensors.Where(t => t.Role == TensorRole.Parameter && t.InitialValue is not null).Sum(t => t.Bytes));
    }
}
