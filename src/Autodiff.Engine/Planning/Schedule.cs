using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Planning;

/// <summary>
/// One step of the generated training function: a node, or a weight-gradient node fused with the
/// optimizer update of the parameter it differentiates (the gradient is then never stored).
/// </summary>
public sealed record ScheduledStep(Node Node, Node? FusedUpdate = null)
{
    public bool IsFused => FusedUpdate is not null;
    public IEnumerable<Node> Nodes => FusedUpdate is null ? [Node] : [Node, FusedUpdate];
}

/// <summary>Options that change the schedule and thus the memory plan.</summary>
/// <param name="FuseUpdates">Fuse weight gradients with their optimizer update (the default).</param>
/// <param name="InPlace">Let element-wise ops write over an input that dies at that step.</param>
public sealed record PlanOptions(bool FuseUpdates = true, bool InPlace = true)
{
    public static PlanOptions Default { get; } = new();

    /// <summary>
    /// Working memory a node's kernel needs while it runs (CMSIS-NN's im2col and sum buffers), in
    /// bytes; known only once kernels are chosen, so the compiler plans a second time with it.
    /// Null or 0: none.
    /// </summary>
    public Func<Node, long>? ScratchBytes { get; init; }
}

/// <summary>
/// Orders the training graph for execution. Forward and backward nodes keep the order the graph
/// builder gave them; each optimizer update (fused or not) is moved to the earliest point after its
/// gradient exists and after every other reader of the parameter's old value has run, which frees
/// gradients early and keeps the update from clobbering a value still to be read.
/// </summary>
public static class Scheduler
{
    public static IReadOnlyList<ScheduledStep> Schedule(TrainingGraph training, PlanOptions options)
    {
        var graph = training.Graph;
        var readers = graph.Readers();
        var fusedProducers = new Dictionary<Node, Node>(); // gradient producer -> update
        if (options.FuseUpdates)
        {
            foreach (var update in graph.Nodes.Where(n => n.Phase == NodePhase.Update && n.Op is IElementUpdate))
            {
                var gradient = update.Inputs[1];
                if (gradient.Producer is { Op: IFusedGradient } producer
                    && readers[gradient].All(r => r == update)
                    && gradient != training.Loss)
                    fusedProducers[producer] = update;
            }
        }
        var fusedUpdates = fusedProducers.Values.ToHashSet();

        var steps = new List<ScheduledStep>();
        var done = new HashSet<Node>();
        var pending = new List<ScheduledStep>();

        bool Ready(ScheduledStep unit)
        {
            var own = unit.Nodes.ToHashSet();
            foreach (var node in unit.Nodes)
            {
                foreach (var input in node.Inputs)
                    if (input.Producer is { } p && !own.Contains(p) && !done.Contains(p)) return false;
                foreach (var overwritten in node.Updates)
                    if (readers[overwritten].Any(r => !own.Contains(r) && !done.Contains(r))) return false;
            }
            return true;
        }

        void Emit(ScheduledStep unit)
        {
            steps.Add(unit);
            foreach (var n in unit.Nodes) done.Add(n);
        }

        void Flush()
        {
            for (var progress = true; progress;)
            {
                progress = false;
                foreach (var unit in pending.ToArray())
                {
                    if (!Ready(unit)) continue;
                    pending.Remove(unit);
                    Emit(unit);
                    progress = true;
                }
            }
        }

        foreach (var node in graph.Nodes)
        {
            if (fusedUpdates.Contains(node)) continue;
            if (fusedProducers.TryGetValue(node, out var update)) pending.Add(new ScheduledStep(node, update));
            else if (node.Phase == NodePhase.Update) pending.Add(new ScheduledStep(node));
            else Emit(new ScheduledStep(node));
            Flush();
        }

        if (pending.Count > 0)
            throw new InvalidOperationException("updates could not be scheduled: " + string.Join(", ", pending.Select(p => p.Node)));
        return steps;
    }
}
