using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// Every test model built for stm32f4 twice, on portable and on CMSIS kernels, trained five steps in
/// QEMU (netduinoplus2): losses and parameters agree to 1e-4 relative. Needs CMSIS
/// (<c>CMSIS_DSP_ROOT</c>, <c>CMSIS_NN_ROOT</c>, optionally <c>CMSIS_CORE_ROOT</c>), arm-none-eabi-gcc and
/// qemu-system-arm; without them each test prints a SKIPPED line and passes.
/// </summary>
public class CmsisQemuTests(ITestOutputHelper output)
{
    private const int Steps = 5;

    /// <summary>The models the generated-code tests train.</summary>
    public static TheoryData<string> Models => GeneratedCodeTests.Models;

    [Theory]
    [MemberData(nameof(Models))]
    public void Cmsis_kernels_agree_with_portable_kernels_in_QEMU_when_CMSIS_is_present(string model)
    {
        if (ArmFirmware.MissingPrerequisite() is { } skip)
        {
            output.WriteLine(skip);
            return;
        }
        var (training, plan) = GeneratedCodeTests.Plan(model);
        var (inputs, targets) = Data(training);
        var board = ArmFirmware.Board("stm32f4");

        var portable = ArmFirmware.Run(training, plan, board, KernelChoice.Portable, inputs, targets);
        var cmsis = ArmFirmware.Run(training, plan, board, KernelChoice.Cmsis, inputs, targets);
        output.WriteLine($"{model}: kernel families {string.Join(", ", cmsis.Kernels.Families.Select(kv => $"{kv.Key} {kv.Value}"))}");

        Assert.Equal(Steps, portable.Losses.Length);
        Assert.Equal(Steps, cmsis.Losses.Length);
        for (var s = 0; s < Steps; s++) GeneratedCodeTests.AssertClose($"loss of step {s}", [portable.Losses[s]], [cmsis.Losses[s]]);
        foreach (var p in training.Graph.Parameters)
            GeneratedCodeTests.AssertClose($"parameter {p.Name}", portable.Parameters[p.Name], cmsis.Parameters[p.Name]);
    }

    /// <summary>
    /// The CMSIS paths the test models leave out: SGD with dampening and L2 (the chunked vector passes),
    /// a batch of 3 (weight-gradient rows summed over a remainder of samples), and broadcasting with a
    /// repeated scalar operand on either side (arm_offset_f32, arm_scale_f32, arm_negate_f32).
    /// </summary>
    [Fact]
    public void Cmsis_optimizer_and_broadcast_paths_agree_with_portable_kernels_in_QEMU_when_CMSIS_is_present()
    {
        if (ArmFirmware.MissingPrerequisite() is { } skip)
        {
            output.WriteLine(skip);
            return;
        }
        const string yaml = """
            autodiff: 1
            name: sgd_variants
            inputs:
              x: [6]
              c: [1]
              y: [5]
            batch: 3
            layers:
              - linear: { in: x, units: 9, name: h }
              - sub: { in: [h, c], name: hc }
              - mul: { in: [c, hc], name: m }
              - sub: { in: [c, m], name: cm }
              - add: { in: [cm, c] }
              - tanh
              - linear: { units: 5 }
            loss: { mse: { target: y, l2: 0.01 } }
            optimizer: { sgd: { lr: 0.05, momentum: 0.9, dampening: 0.3, weight_decay: 0.01 } }
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
            Assert.Equal("cmsis", cmsis.Kernels.Of("elementwise"));
            for (var s = 0; s < Steps; s++) GeneratedCodeTests.AssertClose($"loss of step {s}", [portable.Losses[s]], [cmsis.Losses[s]]);
            foreach (var p in training!.Graph.Parameters)
                GeneratedCodeTests.AssertClose($"parameter {p.Name}", portable.Parameters[p.Name], cmsis.Parameters[p.Name]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Instructions per training step (steps 2-5, counted by bench/qemu-insn-count) on portable and CMSIS
    /// kernels at -O2, printed for every test model; the seed's MNIST MLP must take fewer on CMSIS.
    /// </summary>
    [Fact]
    public void Cmsis_training_step_of_the_MNIST_MLP_takes_fewer_instructions_when_CMSIS_is_present()
    {
        if (ArmFirmware.MissingPrerequisite(needsCounter: true) is { } skip)
        {
            output.WriteLine(skip);
            return;
        }
        var board = ArmFirmware.Board("stm32f4");
        output.WriteLine("instructions per training step (stm32f4, -O2): model, portable, cmsis, cmsis/portable");
        var models = ((IEnumerable<object[]>)Models).Select(row => (string)row[0]).ToArray();
        foreach (var model in models)
        {
            var (training, plan) = GeneratedCodeTests.Plan(model);
            var (inputs, targets) = Data(training);
            var portable = ArmFirmware.Run(training, plan, board, KernelChoice.Portable, inputs, targets, count: true);
            var cmsis = ArmFirmware.Run(training, plan, board, KernelChoice.Cmsis, inputs, targets, count: true);
            Assert.True(portable.Instructions is > 0 && cmsis.Instructions is > 0 && portable.Windows == Steps - 1 && cmsis.Windows == Steps - 1,
                $"{model}: the instruction counter reported nothing");
            var perStepPortable = portable.Instructions!.Value / portable.Windows;
            var perStepCmsis = cmsis.Instructions!.Value / cmsis.Windows;
            output.WriteLine($"{model,-18} {perStepPortable,10} {perStepCmsis,10} {(double)perStepCmsis / perStepPortable,8:P0}");
            if (model == "mnist_mlp")
                Assert.True(perStepCmsis < perStepPortable, $"mnist_mlp: CMSIS {perStepCmsis} >= portable {perStepPortable} instructions per step");
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
