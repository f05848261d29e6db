using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Planning;

/// <summary>What a piece of arena memory holds, for the budget report.</summary>
public enum MemoryCategory { Parameters, Gradients, OptimizerState, Activations, Scratch }

/// <summary>
/// A region of the arena with one lifetime: a tensor, or several tensors sharing memory in place.
/// Steps are indices into the schedule.
/// </summary>
public sealed class Buffer
{
    internal Buffer(int id, long bytes, int firstStep, int lastStep, MemoryCategory category, string label)
    {
        Id = id;
        Bytes = bytes;
        FirstStep = firstStep;
        LastStep = lastStep;
        Category = category;
        Label = label;
    }

    public int Id { get; }
    public long Bytes { get; }
    public int FirstStep { get; internal set; }
    public int LastStep { get; internal set; }
    public MemoryCategory Category { get; }
    public string Label { get; }

    /// <summary>Byte offset in the arena, a multiple of <see cref="MemoryPlan.Alignment"/>.</summary>
    public long Offset { get; internal set; } = -1;

    public bool LiveAt(int step) => FirstStep <= step && step <= LastStep;
    public bool Overlaps(Buffer other) => FirstStep <= other.LastStep && other.FirstStep <= LastStep;
}

/// <summary>
/// The schedule of a training step and where every byte it touches lives; for the training step's
/// plan, also the plan of <c>NAME_predict_one</c> in the same arena (<see cref="SingleSample"/>).
/// </summary>
public sealed class MemoryPlan
{
    public const int Alignment = 8;

    internal MemoryPlan(IReadOnlyList<ScheduledStep> steps, IReadOnlyList<Buffer> buffers,
        IReadOnlyDictionary<Tensor, Buffer> tensorBuffers, IReadOnlyDictionary<Node, Buffer>? scratchBuffers = null, MemoryPlan? singleSample = null)
    {
        Steps = steps;
        Buffers = buffers;
        TensorBuffers = tensorBuffers;
        ScratchBuffers = scratchBuffers ?? new Dictionary<Node, Buffer>();
        SingleSample = singleSample;
        OwnBytes = buffers.Count == 0 ? 0 : buffers.Max(b => b.Offset + b.Bytes);
        // The arena holds both functions; they never run at once.
        ArenaBytes = Math.Max(OwnBytes, singleSample?.ArenaBytes ?? 0);

        // Bytes alive per step by one sweep over lifetime starts and ends (summing the live buffers
        // step by step was quadratic in the model's depth).
        var stepCount = Math.Max(steps.Count, 1);
        var change = new long[stepCount + 1];
        foreach (var b in buffers)
        {
            if (b.FirstStep >= stepCount || b.LastStep < b.FirstStep) continue;
            change[Math.Max(b.FirstStep, 0)] += b.Bytes;
            change[Math.Min(b.LastStep, stepCount - 1) + 1] -= b.Bytes;
        }
        var peakStep = 0;
        long peak = -1, live = 0;
        for (var s = 0; s < stepCount; s++)
        {
            live += change[s];
            if (live > peak) { peak = live; peakStep = s; }
        }
        LowerBoundBytes = Math.Max(peak, 0);
        PeakStep = peakStep;
        PeakByCategory = Enum.GetValues<MemoryCategory>().ToDictionary(
            c => c, c => buffers.Where(b => b.Category == c && b.LiveAt(peakStep)).Sum(b => b.Bytes));
        NoReuseBytes = buffers.Sum(b => b.Bytes);
    }

    public IReadOnlyList<ScheduledStep> Steps { get; }
    public IReadOnlyList<Buffer> Buffers { get; }

    /// <summary>The buffer of each tensor kept in the arena (not inputs, targets or frozen parameters).</summary>
    public IReadOnlyDictionary<Tensor, Buffer> TensorBuffers { get; }

    /// <summary>The working memory of each node whose kernel needs some, alive only at that node's step.</summary>
    public IReadOnlyDictionary<Node, Buffer> ScratchBuffers { get; }

    /// <summary>
    /// The plan of <c>NAME_predict_one</c> (<see cref="Autodiff.TrainingGraph.SingleSample"/>): its steps and
    /// buffers, with the parameters and optimizer state reserved at this plan's offsets; null when the
    /// batch is 1 and <c>NAME_predict_one</c> is <c>NAME_predict</c>.
    /// </summary>
    public MemoryPlan? SingleSample { get; }

    /// <summary>Bytes of the static arena: what the training step needs, or <c>NAME_predict_one</c> when that is more.</summary>
    public long ArenaBytes { get; }

    /// <summary>Bytes this plan's own buffers reach, <see cref="SingleSample"/> left out.</summary>
    public long OwnBytes { get; }

    /// <summary>The most bytes alive at once under this schedule: no placement can do better.</summary>
    public long LowerBoundBytes { get; }

    /// <summary>The step at which <see cref="LowerBoundBytes"/> are alive.</summary>
    public int PeakStep { get; }

    /// <summary>What is alive at the peak, by category; adds up to <see cref="LowerBoundBytes"/>.</summary>
    public IReadOnlyDictionary<MemoryCategory, long> PeakByCategory { get; }

    /// <summary>Bytes if every buffer of this plan had memory of its own.</summary>
    public long NoReuseBytes { get; }

    /// <summary>True when any parameter gradient is applied as it is formed, never stored.</summary>
    public bool HasFusedUpdates => Steps.Any(s => s.IsFused);

    public long Offset(Tensor t) => TensorBuffers[t].Offset;
}
