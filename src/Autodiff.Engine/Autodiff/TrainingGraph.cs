using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Autodiff;

/// <summary>
/// A complete training step in one graph: forward nodes, the backward nodes derived from them,
/// and the optimizer updates, in execution order.
/// </summary>
/// <param name="Name">The model name, a checked C identifier used as prefix of the generated API.</param>
/// <param name="Graph">All nodes and tensors.</param>
/// <param name="Loss">The scalar the training step returns (batch mean, plus any L2 term).</param>
/// <param name="Prediction">The output of the last layer: what <c>NAME_predict</c> returns.</param>
/// <param name="Gradients">The gradient tensor of each trainable parameter.</param>
public sealed record TrainingGraph(
    string Name,
    ComputeGraph Graph,
    Tensor Loss,
    Tensor Prediction,
    IReadOnlyDictionary<Tensor, Tensor> Gradients)
{
    public int Batch => Graph.Inputs.First().Shape[0];

    /// <summary>
    /// The forward pass at batch 1 for <c>NAME_predict_one</c>; null when <see cref="Batch"/> is already 1
    /// (<c>NAME_predict</c> then takes one sample and <c>NAME_predict_one</c> calls it).
    /// </summary>
    public SingleSampleGraph? SingleSample { get; init; }
}
