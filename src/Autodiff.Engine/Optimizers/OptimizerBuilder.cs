using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Optimizers;

/// <summary>The pieces of a training step added on top of a forward graph.</summary>
/// <param name="Loss">The loss the step returns: the data loss plus the L2 term, if any.</param>
/// <param name="Gradients">The gradient of the data loss for each parameter that has one.</param>
/// <param name="Updates">One update node per parameter in <paramref name="Gradients"/>.</param>
public sealed record OptimizerStep(Tensor Loss, IReadOnlyDictionary<Tensor, Tensor> Gradients, IReadOnlyList<Node> Updates);

/// <summary>Adds optimizer state and update nodes to a training graph.</summary>
public static class OptimizerBuilder
{
    /// <summary>The update op for these settings; it is immutable and shared by every parameter's node.</summary>
    public static OptimizerUpdateOp CreateUpdateOp(OptimizerSettings settings, double l2 = 0) => settings switch
    {
        Sgd s => new SgdUpdateOp(s, l2),
        Adam s => new AdamUpdateOp(s, l2),
        RmsProp s => new RmsPropUpdateOp(s, l2),
        _ => throw new ArgumentException($"no update op for {settings.GetType().Name}", nameof(settings)),
    };

    /// <summary>
    /// For each parameter with a gradient (in parameter order): its state tensors (only those the
    /// optimizer needs) and one update node overwriting the parameter and the state. Call after
    /// every forward and backward node exists, so updates follow every read of the old values.
    /// <paramref name="l2"/> is the loss's L2 coefficient λ; the updates add its gradient 2λ·w.
    /// </summary>
    public static IReadOnlyList<Node> AddUpdates(GraphBuilder g, IReadOnlyDictionary<Tensor, Tensor> gradients, OptimizerSettings settings, double l2 = 0)
    {
        var op = CreateUpdateOp(settings, l2);
        var nodes = new List<Node>();
        var previousSource = g.CurrentSource;
        try
        {
            foreach (var (param, grad) in gradients.OrderBy(p => p.Key.Id))
            {
                if (param.Role != TensorRole.Parameter)
                    throw new ArgumentException($"'{param.Name}' is not a trainable parameter", nameof(gradients));
                // The caller's position (e.g. the optimizer's in the model file) wins over the layer's.
                var source = previousSource ?? param.Source;
                g.CurrentSource = source;
                var states = op.StateSuffixes.Select(suffix => g.State(param.Name + suffix, param.Shape)).ToArray();
                Tensor[] inputs = [param, grad, .. states];
                if (op.InferShape(inputs.Select(t => t.Shape).ToArray(), out var error) is null)
                    throw new GraphBuildException(new Diagnostic(GraphBuilder.ShapeMismatchCode, Severity.Error,
                        $"{op.Name} of '{param.Name}' {param.Shape}: {error}", source));
                nodes.Add(g.ApplyUpdate(op, inputs, [param, .. states], source));
            }
        }
        finally
        {
            g.CurrentSource = previousSource;
        }
        return nodes;
    }

    /// <summary>
    /// Completes a training graph from its data loss: adds the L2 term to the reported loss,
    /// differentiates the data loss with respect to <paramref name="parameters"/> (default: every
    /// trainable parameter) and adds the updates.
    /// </summary>
    public static OptimizerStep AddTrainingStep(GraphBuilder g, Tensor dataLoss, OptimizerSettings settings, double l2 = 0, IEnumerable<Tensor>? parameters = null)
    {
        var trainable = (parameters ?? g.Graph.Parameters).ToArray();
        var loss = g.WithL2Penalty(dataLoss, trainable, l2);
        var gradients = g.Backward(dataLoss, trainable);
        var updates = AddUpdates(g, gradients, settings, l2);
        return new OptimizerStep(loss, gradients, updates);
    }
}
