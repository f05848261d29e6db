using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Graph;

public enum NodePhase { Forward, Backward, Update }

/// <summary>
/// One operation applied to input tensors. A node produces one output tensor, except update
/// nodes (optimizer steps) which produce none and instead overwrite <see cref="Updates"/> in place.
/// </summary>
public sealed class Node
{
    internal Node(int id, Op op, IReadOnlyList<Tensor> inputs, Tensor? output, IReadOnlyList<Tensor> updates, NodePhase phase, SourceLocation? source)
    {
        Id = id;
        Phase = phase;
        Op = op;
        Inputs = inputs;
        Output = output;
        Updates = updates;
        Source = source;
    }

    public int Id { get; }
    public Op Op { get; }
    public IReadOnlyList<Tensor> Inputs { get; }
    public Tensor? Output { get; }

    /// <summary>Persistent tensors (parameters, optimizer state) this node overwrites; they are also among <see cref="Inputs"/>.</summary>
    public IReadOnlyList<Tensor> Updates { get; }

    public SourceLocation? Source { get; }

    /// <summary>Which part of a training step the node belongs to; prediction runs forward nodes only.</summary>
    public NodePhase Phase { get; }

    public Tensor Input(int i) => Inputs[i];
    public Tensor Out => Output ?? throw new InvalidOperationException($"{Op.Name} produces no output");

    public override string ToString() =>
        $"{(Output is null ? "" : Output.Name + " = ")}{Op.Describe()}({string.Join(", ", Inputs.Select(t => t.Name))})";
}
