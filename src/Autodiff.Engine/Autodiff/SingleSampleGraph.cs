using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Autodiff;

/// <summary>
/// The model's forward pass lowered again at batch 1, for <c>NAME_predict_one</c>: a firmware has one
/// live sensor window, not a batch. Its parameters are tensors of its own graph with the names of the
/// training graph's, so the planner and the code generator give them the training step's storage.
/// </summary>
/// <param name="Graph">The layers at batch 1 (no loss, no backward pass, no updates).</param>
/// <param name="Prediction">The output of the last layer, one row: what <c>NAME_predict_one</c> returns.</param>
public sealed record SingleSampleGraph(ComputeGraph Graph, Tensor Prediction)
{
    /// <summary>The forward nodes the prediction needs, in graph order: the steps of <c>NAME_predict_one</c>.</summary>
    public IReadOnlyList<Node> Nodes { get; } = Graph.Nodes.Where(Prediction.AncestorNodes().Contains).ToList();
}
