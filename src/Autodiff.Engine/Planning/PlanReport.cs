using System.Globalization;
using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;

namespace Autodiff.Engine.Planning;

/// <summary>The per-model lines of the RAM budget report.</summary>
public static class PlanReport
{
    public static IReadOnlyList<string> Lines(string model, BoardSpec board, Budget budget, MemoryPlan plan, KernelSelection kernels)
    {
        var peak = plan.PeakByCategory;
        var percent = budget.Bytes > 0 ? (100.0 * plan.ArenaBytes / budget.Bytes).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a";
        return
        [
            $"Autodiff: {model} (board {board.Name}, {board.RamBytes} B RAM, budget {budget.Bytes} B)",
            $"  params {SizeText.Bytes(peak[MemoryCategory.Parameters])} · grads {SizeText.Bytes(peak[MemoryCategory.Gradients])}{(plan.HasFusedUpdates ? " (fused)" : "")}" +
            $" · optimizer {SizeText.Bytes(peak[MemoryCategory.OptimizerState])} · activations {SizeText.Bytes(peak[MemoryCategory.Activations])}" +
            $" · scratch {SizeText.Bytes(peak[MemoryCategory.Scratch])}",
            $"  arena {SizeText.Bytes(plan.ArenaBytes)} ({plan.ArenaBytes} B) = {percent} of budget · lower bound {SizeText.Bytes(plan.LowerBoundBytes)} ({plan.LowerBoundBytes} B) · kernels: {kernels.Summary()}",
            $"  kernel families: {string.Join(", ", kernels.Families.Select(kv => $"{kv.Key} {kv.Value}"))}",
        ];
    }
}
