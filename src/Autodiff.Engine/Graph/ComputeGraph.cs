namespace Autodiff.Engine.Graph;

/// <summary>
/// Tensors and nodes in a valid execution order: every node comes after the producers of its
/// inputs, and an update node comes after every node that reads the old value it overwrites.
/// </summary>
public sealed class ComputeGraph
{
    internal readonly List<Tensor> TensorList = new();
    internal readonly List<Node> NodeList = new();

    public IReadOnlyList<Tensor> Tensors => TensorList;
    public IReadOnlyList<Node> Nodes => NodeList;

    public IEnumerable<Tensor> Inputs => TensorList.Where(t => t.Role == TensorRole.Input);
    public IEnumerable<Tensor> Targets => TensorList.Where(t => t.Role == TensorRole.Target);
    public IEnumerable<Tensor> Parameters => TensorList.Where(t => t.Role == TensorRole.Parameter);
    public IEnumerable<Tensor> FrozenParameters => TensorList.Where(t => t.Role == TensorRole.FrozenParameter);
    public IEnumerable<Tensor> OptimizerState => TensorList.Where(t => t.Role == TensorRole.OptimizerState);

    /// <summary>Nodes reading each tensor, in execution order.</summary>
    public ILookup<Tensor, Node> Readers() =>
        NodeList.SelectMany(n => n.Inputs.Distinct().Select(t => (t, n))).ToLookup(p => p.t, p => p.n);
}

public static class TensorGraphExtensions
{
    /// <summary>Every node that <paramref name="output"/> depends on: what must run to compute it.</summary>
    public static HashSet<Node> AncestorNodes(this Tensor output)
    {
        var nodes = new HashSet<Node>();
        var stack = new Stack<Tensor>([output]);
        while (stack.Count > 0)
            if (stack.Pop().Producer is { } p && nodes.Add(p))
                foreach (var i in p.Inputs) stack.Push(i);
        return nodes;
    }
}
