using System.Globalization;
using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Planning;
using Autodiff.Engine.Tests.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.CodeGen;

/// <summary>
/// NAME_predict_one, the batch-1 forward pass planned in the training arena. Compiled natively: on each
/// sample of a batch it gives that row of NAME_predict bit for bit (both passes run the same kernels
/// on the same values of a sample, in the same order; only the batch loop around them differs) and the
/// reference interpreter's row to 1e-4; called between training steps it changes no loss and no byte of
/// the saved state. Its plan keeps its buffers inside NAME_ARENA_BYTES and off the parameters and
/// optimizer state; int8 tables are written once for both passes. One case per kernel choice in QEMU.
/// </summary>
public class PredictOneTests(ITestOutputHelper output)
{
    /// <summary>An MLP at batch 1 and 4, convolutions with dropout, batchnorms (trained, frozen and folded), int8 layers at batch 1 and 2, several inputs.</summary>
    public static TheoryData<string> Models => new()
    {
        "mnist_mlp", "adam_mlp", "conv_momentum", "mobile_block", "frozen_backbone", "int8_cnn", "int8_backbone", "int8_mlp", "tensor_chain",
        "residual_rmsprop",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Predict_one_on_each_sample_gives_that_row_of_predict_and_of_the_interpreter(string model) =>
        GeneratedCodeTests.CompareWithInterpreter(model, (training, plan, inputs, targets) =>
        {
            var run = NativeRun.Run(training, plan, inputs, targets, NativeRun.SanitizerFlags, EachSample(training));
            var rows = Rows(run.OtherLines);
            AssertRowsOf(run.Prediction, rows, training.Batch);
            return (run.Losses, run.Parameters, rows.SelectMany(r => r).ToArray());
        });

    [Theory]
    [InlineData("adam_mlp")]
    [InlineData("conv_momentum")]
    [InlineData("mobile_block")]
    [InlineData("int8_cnn")]
    [InlineData("tensor_chain")]
    [InlineData("mnist_mlp")]
    public void Predict_one_between_training_steps_changes_no_loss_and_no_saved_state(string model)
    {
        const int steps = 6;
        var (training, plan) = GeneratedCodeTests.Plan(model);
        var n = training.Name;
        var upper = n.ToUpperInvariant();
        var rng = new Random(99);
        var main = new StringBuilder($"""
            #include <stdio.h>
            #include <string.h>
            #include "{n}.h"

            """);
        for (var s = 0; s < steps; s++)
        {
            main.AppendLine($"static const float x{s}[] = {{ {Floats(GeneratedCodeTests.Data(training.Graph.Inputs, rng, false, training))} }};");
            main.AppendLine($"static const float y{s}[] = {{ {Floats(GeneratedCodeTests.Data(training.Graph.Targets, rng, true, training))} }};");
        }
        var xs = string.Join(", ", Enumerable.Range(0, steps).Select(s => $"x{s}"));
        var ys = string.Join(", ", Enumerable.Range(0, steps).Select(s => $"y{s}"));
        main.Append($$"""
            static const float *const xs[] = { {{xs}} };
            static const float *const ys[] = { {{ys}} };
            static unsigned char straight_state[{{upper}}_STATE_BYTES], interleaved_state[{{upper}}_STATE_BYTES];
            static float one_out[{{upper}}_OUTPUT_SIZE];
            int main(void) {
                float straight[{{steps}}], interleaved[{{steps}}];
                {{n}}_init();
                for (int s = 0; s < {{steps}}; ++s) straight[s] = {{n}}_train_step(xs[s], ys[s]);
                {{n}}_save_state(straight_state);
                {{n}}_init();
                for (int s = 0; s < {{steps}}; ++s) {
                    {{n}}_predict_one(xs[s], one_out);
                    interleaved[s] = {{n}}_train_step(xs[s], ys[s]);
                    {{n}}_predict_one(xs[({{steps}} - 1) - s], one_out);
                }
                {{n}}_save_state(interleaved_state);
                printf("losses %d\n", memcmp(straight, interleaved, sizeof straight) == 0);
                printf("state %d\n", memcmp(straight_state, interleaved_state, sizeof straight_state) == 0);
                printf("last %.9g %.9g\n", (double)straight[{{steps - 1}}], (double)interleaved[{{steps - 1}}]);
                return 0;
            }

            """);
        var printed = TestDriver.InTemporaryFolder("autodiff-predict-one-", training, plan, main.ToString(), dir =>
        {
            var kernels = Path.Combine(NativeRun.RepositoryRoot, "kernels", "portable");
            var exe = Path.Combine(dir, "interleaved");
            NativeRun.Exec("gcc", [.. NativeRun.SanitizerFlags, "-I", kernels, "-I", dir, "main.c", n + ".c",
                .. KernelSelection.FamiliesOf(plan).Select(f => Path.Combine(kernels, f + ".c")), "-o", exe, "-lm"], dir);
            return NativeRun.Exec(exe, [], dir);
        });
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1..]);
        Assert.True(lines["losses"][0] == "1", printed);
        Assert.True(lines["state"][0] == "1", printed);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Predict_one_buffers_lie_in_the_arena_and_clear_of_parameters_and_optimizer_state(string model)
    {
        var (training, plan) = GeneratedCodeTests.Plan(model);
        AssertPlacement(training, plan);
        // With the working memory of the kernels the M4 takes (CMSIS-NN's for int8), planned as the compiler does.
        var board = ArmFirmware.Board("stm32f4");
        var kernels = KernelSelection.Select(plan, board, KernelChoice.Auto, new DiagnosticBag(), null, ArmFirmware.Cmsis, ArmFirmware.KernelsDirectory);
        var withScratch = MemoryPlanner.Plan(training, kernels.WithScratch(PlanOptions.Default, board));
        AssertPlacement(training, withScratch);
        if (withScratch.SingleSample is { } single && withScratch.ScratchBuffers.Count > 0)
            Assert.Equal(withScratch.ScratchBuffers.Count(kv => kv.Key.Phase == NodePhase.Forward && training.Prediction.AncestorNodes().Contains(kv.Key)),
                single.ScratchBuffers.Count);

        var header = ModelEmitter.Emit(training, plan, "m.yaml")[0].Content;
        Assert.Contains($"#define {training.Name.ToUpperInvariant()}_ARENA_BYTES {plan.ArenaBytes}u", header);
        Assert.Contains($"void {training.Name}_predict_one(const float *x, float *out);", header);
        output.WriteLine($"{model}: arena {plan.ArenaBytes} B, training step alone {plan.OwnBytes} B, predict_one {plan.SingleSample?.ArenaBytes.ToString(CultureInfo.InvariantCulture) ?? "(predict)"} B");
    }

    /// <summary>No test model needs it (batch 1 never takes more than batch B), so the rule is held on a plan made by hand.</summary>
    [Fact]
    public void The_arena_and_the_report_grow_when_predict_one_needs_more_than_the_training_step()
    {
        static global::Autodiff.Engine.Planning.Buffer At(long offset, long bytes, MemoryCategory category, string label) =>
            new(0, bytes, 0, 0, category, label) { Offset = offset };
        var none = new Dictionary<Tensor, global::Autodiff.Engine.Planning.Buffer>();
        var single = new MemoryPlan([], [At(0, 64, MemoryCategory.Parameters, "w"), At(64, 128, MemoryCategory.Activations, "h")], none);
        var plan = new MemoryPlan([], [At(0, 64, MemoryCategory.Parameters, "w"), At(64, 32, MemoryCategory.Activations, "h")], none, null, single);
        Assert.Equal(96, plan.OwnBytes);
        Assert.Equal(192, plan.ArenaBytes);
        var lines = PlanReport.Lines("grown", ArmFirmware.Board("stm32f4"), new Budget(1024, "test"), plan, new KernelSelection(new Dictionary<string, string>(), []));
        Assert.Contains(lines, l => l.Contains("arena 192 B (192 B)") || l.Contains("(192 B) ="));
        Assert.Contains(lines, l => l.Contains("predict_one") && l.Contains("more than the training step's 96 B"));
    }

    [Fact]
    public void Int8_tables_are_written_once_for_both_passes()
    {
        var (training, plan) = GeneratedCodeTests.Plan("int8_cnn");
        var source = ModelEmitter.Emit(training, plan, "m.yaml")[1].Content;
        var single = training.SingleSample!;
        var weighted = training.Graph.Nodes.Count(node => node.Op is IFlashData { ParameterCount: > 0 });
        Assert.True(weighted > 0);
        Assert.Equal(weighted, Count(source, "static const int8_t "));
        // Each pass has its own parameter blocks (they hold the batch), naming the same tables.
        var blocks = training.Graph.Nodes.Count(node => node.Op is IFlashData) + single.Nodes.Count(node => node.Op is IFlashData);
        Assert.Equal(blocks, Count(source, "static const ad_conv_s8_t ") + Count(source, "static const ad_linear_s8_t ") + Count(source, "static const ad_pool_s8_t "));
        Assert.Contains("int8_cnn_one_n", source);
        Assert.DoesNotContain("_weight[", string.Join("\n", source.Split('\n').Where(l => l.Contains("_one_n"))));
    }

    /// <summary>In QEMU on stm32f4 with the kernels auto takes there (armv7em assembly, CMSIS-NN's int8 kernels with planned scratch).</summary>
    [SkippableTheory]
    [InlineData("int8_cnn")]
    [InlineData("adam_mlp")]
    public void Predict_one_gives_each_row_of_predict_in_QEMU(string model)
    {
        Skip.If(ArmFirmware.MissingPrerequisite() is not null, ArmFirmware.MissingPrerequisite());
        var (training, plan) = GeneratedCodeTests.Plan(model);
        var rng = new Random(7);
        var inputs = Enumerable.Range(0, 3).Select(_ => GeneratedCodeTests.Data(training.Graph.Inputs, rng, false, training)).ToArray();
        var targets = Enumerable.Range(0, 3).Select(_ => GeneratedCodeTests.Data(training.Graph.Targets, rng, true, training)).ToArray();
        string[] fallbacks = ["{ extern uint32_t ad_int8_fallbacks; printf(\"int8-fallbacks %u\\n\", (unsigned)ad_int8_fallbacks); }"];
        var int8 = training.Graph.Nodes.Any(node => node.Op.KernelFamily == KernelSelection.Int8Family);
        var run = ArmFirmware.Run(training, plan, ArmFirmware.Board("stm32f4"), KernelChoice.Auto, inputs, targets, predict: true,
            epilogue: [.. EachSample(training), .. int8 ? fallbacks : []]);
        output.WriteLine($"{model}: {run.Kernels.Summary()}");
        AssertRowsOf(run.Prediction, Rows(run.OtherLines), training.Batch);
        if (run.Kernels.Of(KernelSelection.Int8Family) is KernelSelection.Cmsis or KernelSelection.Armv7em)
            Assert.Equal("0", Assert.Single(run.OtherLines, l => l[0] == "int8-fallbacks")[1]);
    }

    /// <summary>
    /// Driver statements: each sample of the first input batch <c>x0</c> taken out of its batch (one
    /// block per input, as NAME_predict_one reads it), predicted alone and printed as <c>one b values…</c>.
    /// </summary>
    private static IReadOnlyList<string> EachSample(TrainingGraph training)
    {
        var upper = training.Name.ToUpperInvariant();
        var lines = new List<string> { "{", $"static float one_x[{upper}_INPUT_SIZE], one_out[{upper}_OUTPUT_SIZE];", $"for (unsigned b = 0; b < {upper}_BATCH; ++b) {{" };
        long inBatch = 0, inSample = 0;
        foreach (var t in training.Graph.Inputs)
        {
            var perSample = t.Shape.Count / t.Shape[0];
            lines.Add($"for (unsigned i = 0; i < {perSample}u; ++i) one_x[{inSample}u + i] = x0[{inBatch}u + b * {perSample}u + i];");
            inBatch += t.Shape.Count;
            inSample += perSample;
        }
        lines.Add($"{training.Name}_predict_one(one_x, one_out);");
        lines.Add("printf(\"one %u\", b);");
        lines.Add($"for (unsigned k = 0; k < {upper}_OUTPUT_SIZE; ++k) printf(\" %.9g\", (double)one_out[k]);");
        lines.Add("printf(\"\\n\");");
        lines.Add("}");
        lines.Add("}");
        return lines;
    }

    private static float[][] Rows(IReadOnlyList<string[]> lines) =>
        lines.Where(l => l[0] == "one").OrderBy(l => int.Parse(l[1], CultureInfo.InvariantCulture))
            .Select(l => l.Skip(2).Select(v => float.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    /// <summary>Row b of the batch prediction and what predict_one gave for sample b have the same bits.</summary>
    private static void AssertRowsOf(float[] batchPrediction, float[][] rows, int batch)
    {
        Assert.Equal(batch, rows.Length);
        var width = batchPrediction.Length / batch;
        for (var b = 0; b < batch; b++)
        {
            var row = batchPrediction.AsSpan(b * width, width).ToArray();
            Assert.True(row.Select(BitConverter.SingleToInt32Bits).SequenceEqual(rows[b].Select(BitConverter.SingleToInt32Bits)),
                $"sample {b}: predict gave {string.Join(" ", row)}, predict_one {string.Join(" ", rows[b])}");
        }
    }

    private static void AssertPlacement(TrainingGraph training, MemoryPlan plan)
    {
        if (training.Batch == 1)
        {
            Assert.Null(training.SingleSample);
            Assert.Null(plan.SingleSample);
            return;
        }
        var single = Assert.IsType<MemoryPlan>(plan.SingleSample);
        var persistent = plan.Buffers.Where(IsPersistent).ToList();
        Assert.NotEmpty(persistent);
        Assert.True(single.ArenaBytes <= plan.ArenaBytes, $"predict_one needs {single.ArenaBytes} B, the arena is {plan.ArenaBytes} B");
        foreach (var b in single.Buffers)
            Assert.True(b.Offset >= 0 && b.Offset + b.Bytes <= plan.ArenaBytes, $"{b.Label} at [{b.Offset}, {b.Offset + b.Bytes}) is outside the arena of {plan.ArenaBytes} B");
        // Its own buffers leave every byte of the parameters and the optimizer state alone.
        foreach (var own in single.Buffers.Where(b => !IsPersistent(b)))
            foreach (var kept in persistent)
                Assert.False(own.Offset < kept.Offset + kept.Bytes && kept.Offset < own.Offset + own.Bytes,
                    $"predict_one's {own.Label} [{own.Offset}, {own.Offset + own.Bytes}) overlaps {kept.Category} {kept.Label} [{kept.Offset}, {kept.Offset + kept.Bytes})");
        // Its reserved buffers are exactly the persistent ones, and its parameters the training step's.
        Assert.Equal(persistent.Select(b => (b.Offset, b.Bytes, b.Label)).Order(), single.Buffers.Where(IsPersistent).Select(b => (b.Offset, b.Bytes, b.Label)).Order());
        var trained = training.Graph.Parameters.ToDictionary(p => p.Name);
        foreach (var p in training.SingleSample!.Graph.Parameters)
            Assert.Equal(plan.Offset(trained[p.Name]), single.Offset(p));
    }

    private static bool IsPersistent(global::Autodiff.Engine.Planning.Buffer b) => b.Category is MemoryCategory.Parameters or MemoryCategory.OptimizerState;

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string Floats(float[] v) => v.Length == 0 ? "0" : string.Join(", ", v.Select(CText.Float));
}
