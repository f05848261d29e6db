using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// Every test model built for stm32f4 on each kernel implementation (portable, armv7em, CMSIS, and
/// auto's mix), trained five steps in QEMU (netduinoplus2): losses and parameters agree with the
/// portable kernels to 1e-4 relative, and auto's choice takes no more instructions than any other.
/// Needs CMSIS (<c>CMSIS_DSP_ROOT</c>, <c>CMSIS_NN_ROOT</c>, optionally <c>CMSIS_CORE_ROOT</c>; CI sets them),
/// arm-none-eabi-gcc and qemu-system-arm; without them the tests are reported as skipped.
/// </summary>
public class KernelFamilyQemuTests(ITestOutputHelper output)
{
    private const int Steps = 5;

    /// <summary>The models the generated-code tests train.</summary>
    public static TheoryData<string> Models => GeneratedCodeTests.Models;

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Every_kernel_family_agrees_with_portable_kernels_in_QEMU(string model)
    {
        Skip.If(ArmFirmware.MissingPrerequisite() is not null, ArmFirmware.MissingPrerequisite());
        var (training, plan) = GeneratedCodeTests.Plan(model);
        var (inputs, targets) = Data(training);
        var board = ArmFirmware.Board("stm32f4");

        var portable = ArmFirmware.Run(training, plan, board, KernelChoice.Portable, inputs, targets);
        Assert.Equal(Steps, portable.Losses.Length);
        foreach (var choice in new[] { KernelChoice.Armv7em, KernelChoice.Cmsis })
        {
            var other = ArmFirmware.Run(training, plan, board, choice, inputs, targets);
            output.WriteLine($"{model} {choice}: kernel families {string.Join(", ", other.Kernels.Families.Select(kv => $"{kv.Key} {kv.Value}"))}");
            Assert.Equal(Steps, other.Losses.Length);
            for (var s = 0; s < Steps; s++) GeneratedCodeTests.AssertClose($"{choice}: loss of step {s}", [portable.Losses[s]], [other.Losses[s]]);
            foreach (var p in training.Graph.Parameters)
                GeneratedCodeTests.AssertClose($"{choice}: parameter {p.Name}", portable.Parameters[p.Name], other.Parameters[p.Name]);
        }
    }

    /// <summary>
    /// Paths the test models leave out: broadcasting with a repeated scalar operand on either side
    /// (CMSIS's arm_offset_f32, arm_scale_f32, arm_negate_f32), SGD with dampening and L2, and plain
    /// SGD on layers whose sizes leave remainders of every block of the armv7em and portable kernels
    /// (9 and 13 rows, 6 and 19 inputs, a batch of 3).
    /// </summary>
    [SkippableFact]
    public void Broadcast_optimizer_and_remainder_paths_agree_with_portable_kernels_in_QEMU()
    {
        Skip.If(ArmFirmware.MissingPrerequisite() is not null, ArmFirmware.MissingPrerequisite());
        const string yaml = """
            autodiff: 1
            name: sgd_variants
            inputs:
              x: [6]
              c: [1]
              z: [19]
              y: [5]
              t: [13]
            batch: 3
            layers:
              - linear: { in: x, units: 9, name: h }
              - sub: { in: [h, c], name: hc }
              - mul: { in: [c, hc], name: m }
              - sub: { in: [c, m], name: cm }
              - add: { in: [cm, c] }
              - tanh
              - linear: { units: 5, name: out }
              - linear: { in: z, units: 13, bias: false, name: side }
            loss: { mse: { target: t, in: side } }
            optimizer: { sgd: { lr: 0.05 } }
            """;
        var dir = Directory.CreateTempSubdirectory("autodiff-sgd-variants-").FullName;
        try
        {
            var path = Path.Combine(dir, "sgd_variants.yaml");
            File.WriteAllText(path, yaml);
            var diagnostics = new DiagnosticBag();
            var (training, plan) = ModelCompiler.Plan(path, diagnostics);
            Assert.True(training is not null && plan is not null, string.Join("\n", diagnostics.Items));
            var (inputs, targets) = Data(training!);
            var board = ArmFirmware.Board("stm32f4");
            var portable = ArmFirmware.Run(training!, plan!, board, KernelChoice.Portable, inputs, targets);
            var cmsis = ArmFirmware.Run(training!, plan!, board, KernelChoice.Cmsis, inputs, targets);
            var armv7em = ArmFirmware.Run(training!, plan!, board, KernelChoice.Armv7em, inputs, targets);
            Assert.Equal("cmsis", cmsis.Kernels.Of("elementwise"));
            Assert.Equal("armv7em", armv7em.Kernels.Of("linear"));
            foreach (var other in new[] { cmsis, armv7em })
            {
                for (var s = 0; s < Steps; s++) GeneratedCodeTests.AssertClose($"loss of step {s}", [portable.Losses[s]], [other.Losses[s]]);
                foreach (var p in training!.Graph.Parameters)
                    GeneratedCodeTests.AssertClose($"parameter {p.Name}", portable.Parameters[p.Name], other.Parameters[p.Name]);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Instructions per training step (steps 2-5, counted by bench/qemu-insn-count) at -O2 for every test
    /// model on each kernel implementation the board takes: what auto picks is never slower than another,
    /// on stm32f4 (Cortex-M4F: armv7em, CMSIS-DSP) and on cortex-m55 (Helium: CMSIS-NN and our MVE code).
    /// </summary>
    [SkippableTheory]
    [InlineData("stm32f4")]
    [InlineData("cortex-m55")]
    public void Auto_never_takes_more_instructions_than_another_kernel_choice(string boardName)
    {
        Skip.If(ArmFirmware.MissingPrerequisite(needsCounter: true) is not null, ArmFirmware.MissingPrerequisite(needsCounter: true));
        var board = ArmFirmware.Board(boardName);
        KernelChoice[] choices = KernelSelection.HasArmv7emFpu(board)
            ? [KernelChoice.Auto, KernelChoice.Portable, KernelChoice.Armv7em, KernelChoice.Cmsis]
            : [KernelChoice.Auto, KernelChoice.Portable, KernelChoice.Cmsis];
        output.WriteLine($"instructions per training step ({boardName}, -O2): model, {string.Join(", ", choices)}");
        var models = ((IEnumerable<object[]>)Models).Select(row => (string)row[0]).ToArray();
        foreach (var model in models)
        {
            var (training, plan) = GeneratedCodeTests.Plan(model);
            var (inputs, targets) = Data(training);
            var perStep = choices.Select(choice =>
            {
                var run = ArmFirmware.Run(training, plan, board, choice, inputs, targets, count: true);
                Assert.True(run.Instructions is > 0 && run.Windows == Steps - 1, $"{model} {choice}: the instruction counter reported nothing");
                return run.Instructions!.Value / run.Windows;
            }).ToArray();
            output.WriteLine($"{model,-18} {string.Join(" ", perStep.Select(n => $"{n,10}"))}");
            Assert.True(perStep[0] <= perStep.Skip(1).Min(), $"{model} on {boardName}: auto takes {perStep[0]} instructions per step, another choice {perStep.Skip(1).Min()}");
        }
    }

    /// <summary>Fixed random data, one batch per step; targets suit the loss (±1, [0,1] or one-hot).</summary>
    internal static (float[][] Inputs, float[][] Targets) Data(TrainingGraph training)
    {
        var rng = new Random(1234);
        var inputs = new float[Steps][];
        var targets = new float[Steps][];
        for (var s = 0; s < Steps; s++)
        {
            inputs[s] = GeneratedCodeTests.Data(training.Graph.Inputs, rng, isTarget: false, training);
            targets[s] = GeneratedCodeTests.Data(training.Graph.Targets, rng, isTarget: true, training);
        }
        return (inputs, targets);
    }
}
