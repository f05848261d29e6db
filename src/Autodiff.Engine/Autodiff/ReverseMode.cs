using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Autodiff;

/// <summary>
/// Reverse-mode differentiation over the IR: walks the forward nodes from the loss back to the
/// parameters and asks each op's backward rule for its input gradients, adding up the
/// contributions of a tensor used several times. Only tensors on a path from a trainable
/// parameter to the loss get a gradient; inputs and frozen parameters never do.
/// </summary>
public static class ReverseMode
{
    public static IReadOnlyDictionary<Tensor, Tensor> Differentiate(GraphBuilder builder, Tensor loss, IReadOnlyList<Tensor> parameters)
    {
        if (loss.Shape.Rank != 0)
            throw new ArgumentException($"the loss must be a scalar, '{loss.Name}' is {loss.Shape}");

        var forward = builder.Graph.Nodes.ToArray();
        var dependsOnParameter = DependsOnParameter(forward, parameters);
        var reachesLoss = ReachesLoss(loss);

        var gradients = new Dictionary<Tensor, Tensor>();
        var previousPhase = builder.Phase;
        builder.Phase = NodePhase.Backward;
        try
        {
            for (var i = forward.Length - 1; i >= 0; i--)
            {
                var node = forward[i];
                if (node.Output is not { } output || !reachesLoss.Contains(output) || !dependsOnParameter.Contains(output))
                    continue;

                Tensor? gradOutput = null;
                if (output != loss && !gradients.TryGetValue(output, out gradOutput))
                    continue;

                var needs = node.Inputs.Select(dependsOnParameter.Contains).ToArray();
                builder.CurrentSource = node.Source;
                var inputGrads = node.Op.Backward(new BackwardContext(builder, node, gradOutput, needs));
                for (var k = 0; k < node.Inputs.Count; k++)
                {
                    if (!needs[k]) continue;
                    var contribution = inputGrads[k] ?? throw new InvalidOperationException(
                        $"backward rule of '{node.Op.Name}' gave no gradient for input {k}");
                    Accumulate(builder, gradients, node.Inputs[k], contribution);
                }
            }
        }
        finally
        {
            builder.Phase = previousPhase;
            builder.CurrentSource = null;
        }

        return parameters.Where(gradients.ContainsKey).ToDictionary(p => p, p => gradients[p]);
    }

    private static void Accumulate(GraphBuilder builder, Dictionary<Tensor, Tensor> gradients, Tensor input, Tensor contribution)
    {
        if (!contribution.Shape.Equals(input.Shape))
            throw new InvalidOperationException($"gradient for '{input.Name}' has shape {contribution.Shape}, expected {input.Shape}");
        gradients[input] = gradients.TryGetValue(input, out var sum)
            ? builder.Apply(new AddOp(), [sum, contribution], builder.UniqueName("grad." + input.Name), null)
            : contribution;
    }

    private static HashSet<Tensor> DependsOnParameter(IEnumerable<Node> nodes, IEnumerable<Tensor> parameters)
    {
        var set = new HashSet<Tensor>(parameters.Where(p => p.Role == TensorRole.Parameter));
        foreach (var node in nodes)
            if (node.Output is { } o && node.Inputs.Any(set.Contains))
                set.Add(o);
        return set;
    }

    private static HashSet<Tensor> ReachesLoss(Tensor loss)
    {
        var set = new HashSet<Tensor>();
        var stack = new Stack<Tensor>([loss]);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (!set.Add(t) || t.Producer is null) continue;
            foreach (var i in t.Producer.Inputs) stack.Push(i);
        }
        return set;
    }
}
