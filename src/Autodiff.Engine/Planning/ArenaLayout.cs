namespace Autodiff.Engine.Planning;

/// <summary>
/// A memory plan reduced to what a picture of the arena needs: each buffer's offset, size, lifetime,
/// category and label, as plain data. The SDK keeps it with a model's generated files, so after linking
/// it can draw every model's arena inside the firmware's RAM without planning the models again.
/// </summary>
/// <param name="ArenaBytes">The planned arena size (the generated array may round it up).</param>
/// <param name="Steps">Schedule steps of one training step; buffer lifetimes are within [0, Steps).</param>
public sealed record ArenaLayout(long ArenaBytes, int Steps, IReadOnlyList<ArenaBuffer> Buffers)
{
    public static ArenaLayout Of(MemoryPlan plan) =>
        new(plan.ArenaBytes, plan.Steps.Count,
            plan.Buffers.OrderBy(b => b.Offset).ThenBy(b => b.Id)
                .Select(b => new ArenaBuffer(b.Offset, b.Bytes, b.FirstStep, b.LastStep, b.Category, b.Label))
                .ToList());
}

/// <summary>One buffer of an <see cref="ArenaLayout"/>: bytes [Offset, Offset + Bytes) of the arena, alive from FirstStep to LastStep.</summary>
public sealed record ArenaBuffer(long Offset, long Bytes, int FirstStep, int LastStep, MemoryCategory Category, string Label);
