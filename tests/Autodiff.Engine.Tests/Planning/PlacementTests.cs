using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Planning;
using PlanBuffer = Autodiff.Engine.Planning.Buffer;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;

namespace Autodiff.Engine.Tests.Planning;

/// <summary>
/// The planner places buffers by walking the placed ones in offset order; these tests hold it to the
/// plain statement of the rule it implements, so a faster walk can never change a plan.
/// </summary>
public class PlacementTests
{
    public static TheoryData<string> Models => GeneratedCodeTests.Models;

    /// <summary>
    /// The placement rule written as plainly as possible: long-lived and large buffers first, each at
    /// the lowest offset that collides with no buffer already placed and alive at the same time
    /// (overlapping ones taken in offset order, ties in placement order).
    /// </summary>
    private static Dictionary<int, long> PlainPlacement(IReadOnlyList<PlanBuffer> buffers)
    {
        var offsets = new Dictionary<int, long>();
        var placed = new List<PlanBuffer>();
        var lastStep = buffers.Count == 0 ? 0 : buffers.Max(x => x.LastStep);
        foreach (var b in buffers.OrderByDescending(b => b.FirstStep == 0 && b.LastStep == lastStep)
                     .ThenByDescending(b => b.Bytes).ThenBy(b => b.FirstStep).ThenBy(b => b.Id))
        {
            long offset = 0;
            foreach (var other in placed.Where(p => p.Overlaps(b)).OrderBy(p => offsets[p.Id]))
            {
                if (offsets[other.Id] >= offset + b.Bytes) break;
                offset = Math.Max(offset, offsets[other.Id] + other.Bytes);
            }
            offsets[b.Id] = offset;
            placed.Add(b);
        }
        return offsets;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_buffer_sits_where_the_plain_rule_puts_it(string model)
    {
        var (training, fused) = GeneratedCodeTests.Plan(model);
        foreach (var plan in new[] { fused, MemoryPlanner.Plan(training, new PlanOptions(FuseUpdates: false)) })
        {
            var expected = PlainPlacement(plan.Buffers);
            Assert.All(plan.Buffers, b => Assert.Equal(expected[b.Id], b.Offset));
        }
    }

    [Fact]
    public void A_deep_model_is_placed_by_the_plain_rule_too()
    {
        var layers = string.Concat(Enumerable.Range(0, 400).Select(i => i % 4 == 0 ? "  - linear: { units: 4 }\n" : i % 2 == 1 ? "  - relu\n" : "  - tanh\n"));
        var text = $"autodiff: 1\nname: deep\ninputs:\n  x: [4]\n  y: [4]\nlayers:\n{layers}loss: {{ mse: {{ target: y }} }}\noptimizer: {{ sgd: {{ lr: 0.01 }} }}\n";
        var path = Path.Combine(Path.GetTempPath(), "autodiff-deep-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, text);
        try
        {
            var diags = new DiagnosticBag();
            var (_, plan) = ModelCompiler.Plan(path, diags);
            Assert.NotNull(plan);
            var expected = PlainPlacement(plan!.Buffers);
            Assert.All(plan.Buffers, b => Assert.Equal(expected[b.Id], b.Offset));
            // The peak found by the sweep is the most bytes alive at any step.
            var live = Enumerable.Range(0, plan.Steps.Count).Max(s => plan.Buffers.Where(b => b.LiveAt(s)).Sum(b => b.Bytes));
            Assert.Equal(live, plan.LowerBoundBytes);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
