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
        var lines = new List<string>
        {
            $"Autodiff: {model} (board {board.Name}, {board.RamBytes} B RAM, budget {budget.Bytes} B)",
            $"  params {SizeText.Bytes(peak[MemoryCategory.Parameters])} · grads {SizeText.Bytes(peak[MemoryCategory.Gradients])}{(plan.HasFusedUpdates ? " (fused)" : "")}" +
            $" · optimizer {SizeText.Bytes(peak[MemoryCategory.OptimizerState])} · activations {SizeText.Bytes(peak[MemoryCategory.Activations])}" +
            $" · scratch {SizeText.Bytes(peak[MemoryCategory.Scratch])}",
            $"  arena {SizeText.Bytes(plan.ArenaBytes)} ({plan.ArenaBytes} B) = {percent} of budget · lower bound {SizeText.Bytes(plan.LowerBoundBytes)} ({plan.LowerBoundBytes} B) · kernels: {kernels.Summary()}",
            $"  kernel families: {string.Join(", ", kernels.Families.Select(kv => $"{kv.Key} {kv.Value}"))}",
        };
        if (plan.SingleSample is { } single)
            lines.Add($"  predict_one (one sample, between training steps): {SizeText.Bytes(single.ArenaBytes)} ({single.ArenaBytes} B) of the arena, parameters included" +
                      (single.ArenaBytes > plan.OwnBytes ? $"; more than the training step's {plan.OwnBytes} B, so the arena is sized for it" : ""));
        var flash = FlashContents.Of(plan);
        lines.Add($"  flash tables {SizeText.Bytes(flash.TotalBytes)}: frozen int8 layers {SizeText.Bytes(flash.Int8LayerBytes)} ({flash.Int8LayerBytes} B)" +
                  $" · frozen float32 weights {SizeText.Bytes(flash.FrozenFloatBytes)} ({flash.FrozenFloatBytes} B)" +
                  $" · initial values of trainable weights {SizeText.Bytes(flash.InitialValueBytes)} ({flash.InitialValueBytes} B)");
        // Which CMSIS function each kernel of a CMSIS family runs, and the layers it runs for.
        foreach (var (family, calls) in kernels.CmsisCalls.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (calls.Count == 0) continue;
            var modelLines = plan.Steps.SelectMany(s => s.Nodes).Where(n => n.Op.KernelFamily == family && n.Source is not null)
                .Select(n => n.Source!.Line).Distinct().Order().ToList();
            lines.Add($"  {family} on cmsis{(modelLines.Count > 0 ? $" (model lines {string.Join(", ", modelLines)})" : "")}: " +
                      string.Join("; ", calls.Select(c => $"{c.Key} = {c.Value}")));
        }
        return lines;
    }
}
