using System.Numerics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Autodiff;

/// <summary>
/// The reference interpreter: runs a graph exactly as written, node by node, in double or float32.
/// Every later stage (generated C, firmware in QEMU) is checked against it.
/// </summary>
public sealed class Interpreter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ComputeGraph _graph;
    private readonly Dictionary<Tensor, T[]> _persistent = new();

    public Interpreter(ComputeGraph graph)
    {
        _graph = graph;
        foreach (var t in graph.Tensors.Where(t => t.IsPersistent))
        {
            var values = new T[t.Shape.Count];
            if (t.InitialValue is { } init)
                for (var i = 0; i < values.Length; i++) values[i] = T.CreateChecked(init[i]);
            _persistent[t] = values;
        }
    }

    /// <summary>Training steps completed so far.</summary>
    public long Step { get; private set; }

    /// <summary>Current values of a parameter, optimizer state or frozen parameter (live, not a copy).</summary>
    public T[] Values(Tensor persistent) => _persistent[persistent];

    public T[] Values(string name) => _persistent[_graph.Tensors.Single(t => t.Name == name && t.IsPersistent)];

    /// <summary>Runs forward, backward and updates once; returns the value of <paramref name="loss"/>.</summary>
    public T TrainStep(Tensor loss, IReadOnlyDictionary<Tensor, T[]> feeds)
    {
        var values = Run(feeds, _ => true, training: true);
        Step++;
        return values[loss][0];
    }

    /// <summary>Runs the forward nodes needed for <paramref name="output"/> in inference mode (no dropout).</summary>
    public T[] Predict(Tensor output, IReadOnlyDictionary<Tensor, T[]> feeds)
    {
        var needed = output.AncestorNodes();
        return Run(feeds, n => n.Phase == NodePhase.Forward && needed.Contains(n), training: false)[output];
    }

    /// <summary>Runs every forward node in inference mode and returns every tensor (calibration of int8 ranges).</summary>
    public IReadOnlyDictionary<Tensor, T[]> Forward(IReadOnlyDictionary<Tensor, T[]> feeds) =>
        Run(feeds, n => n.Phase == NodePhase.Forward, training: false);

    /// <summary>Runs forward and backward nodes (no updates) and returns every computed tensor.</summary>
    public IReadOnlyDictionary<Tensor, T[]> ForwardBackward(IReadOnlyDictionary<Tensor, T[]> feeds) =>
        Run(feeds, n => n.Phase != NodePhase.Update, training: true);

    private Dictionary<Tensor, T[]> Run(IReadOnlyDictionary<Tensor, T[]> feeds, Func<Node, bool> include, bool training)
    {
        var values = new Dictionary<Tensor, T[]>(_persistent);
        foreach (var (tensor, data) in feeds)
        {
            if (data.Length != tensor.Shape.Count)
                throw new ArgumentException($"'{tensor.Name}' needs {tensor.Shape.Count} values, got {data.Length}");
            values[tensor] = data;
        }

        var context = new EvalContext(Step, training);
        foreach (var node in _graph.Nodes)
        {
            if (!include(node)) continue;
            var inputs = node.Inputs.Select(t => values.TryGetValue(t, out var v) ? v
                : throw new InvalidOperationException($"'{t.Name}' has no value when '{node}' runs")).ToArray();
            var output = node.Output is { } o ? new T[o.Shape.Count] : null;
            node.Op.Evaluate(new EvalArgs<T>(node, inputs, output, context));
            if (node.Output is { } outTensor) values[outTensor] = output!;
        }
        return values;
    }
}
