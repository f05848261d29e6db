using Autodiff.Engine.Autodiff;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Tests.CodeGen;
using Autodiff.Engine.Tests.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Int8;

/// <summary>
/// Models with a frozen int8 part (<c>quantize: int8</c>) under a float head that trains. Their
/// output is an int8 tensor, dequantised, so the generated C's predictions must equal the reference
/// interpreter's integer path bit for bit — natively, and in QEMU on stm32f4 (Cortex-M4, CMSIS-NN's
/// DSP code) and cortex-m55 (Helium), with the portable int8 kernels and with CMSIS-NN's (which
/// need the CMSIS trees: skipped with the reason without them), and with kernels/armv7em/int8.c
/// (what auto picks) on stm32f4 and cortex-m7. Losses and trained parameters
/// agree within the float tolerance of the other code tests.
/// </summary>
public class Int8ModelTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => new() { "int8_cnn", "int8_mlp", "int8_backbone" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Native_C_matches_the_interpreter_bit_for_bit(string model) =>
        Compare(model, (training, plan, inputs, targets) =>
        {
            var run = NativeRun.Run(training, plan, inputs, targets, NativeRun.SanitizerFlags);
            return (run.Losses, run.Parameters, run.Prediction);
        });

    [Theory]
    [MemberData(nameof(Models))]
    public void Portable_int8_kernels_on_stm32f4_in_QEMU_match_the_interpreter_bit_for_bit(string model) =>
        OnBoard(model, "stm32f4", KernelChoice.Portable);

    // On the Cortex-M4F auto takes kernels/armv7em/int8.c, so CMSIS-NN's DSP code is tested with AutodiffKernels=cmsis.
    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void CMSIS_NN_int8_kernels_on_stm32f4_in_QEMU_match_the_interpreter_bit_for_bit(string model)
    {
        SkipWithoutCmsisNn();
        var kernels = OnBoard(model, "stm32f4", KernelChoice.Cmsis);
        Assert.Equal(KernelSelection.Cmsis, kernels.Of(KernelSelection.Int8Family));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Armv7em_int8_kernels_on_stm32f4_in_QEMU_match_the_interpreter_bit_for_bit(string model)
    {
        var kernels = OnBoard(model, "stm32f4", KernelChoice.Auto);
        Assert.Equal(KernelSelection.Armv7em, kernels.Of(KernelSelection.Int8Family));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Armv7em_int8_kernels_on_cortex_m7_in_QEMU_match_the_interpreter_bit_for_bit(string model)
    {
        var kernels = OnBoard(model, "cortex-m7", KernelChoice.Auto);
        Assert.Equal(KernelSelection.Armv7em, kernels.Of(KernelSelection.Int8Family));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Portable_int8_kernels_on_cortex_m55_in_QEMU_match_the_interpreter_bit_for_bit(string model) =>
        OnBoard(model, "cortex-m55", KernelChoice.Portable);

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void CMSIS_NN_int8_kernels_on_cortex_m55_in_QEMU_match_the_interpreter_bit_for_bit(string model)
    {
        SkipWithoutCmsisNn();
        var kernels = OnBoard(model, "cortex-m55", KernelChoice.Auto);
        Assert.Equal(KernelSelection.Cmsis, kernels.Of(KernelSelection.Int8Family));
    }

    [Fact]
    public void The_int8_part_has_int8_tensors_and_no_float_weights()
    {
        var (training, _) = GeneratedCodeTests.Plan("int8_cnn");
        var graph = training.Graph;
        Assert.Empty(graph.FrozenParameters);
        Assert.Contains(graph.Nodes, n => n.Op is Ops.Int8.QuantizeOp);
        Assert.Equal(2, graph.Nodes.Count(n => n.Op is Ops.Int8.DequantizeOp)); // features for the head and for the output
        Assert.All(graph.Nodes.Where(n => n.Op.KernelFamily == KernelSelection.Int8Family && n.Op is not Ops.Int8.DequantizeOp),
            n => Assert.Equal(ElementType.Int8, n.Out.ElementType));
        // Both ReLUs after a conv and the one after embed are folded: no clamp remains.
        Assert.DoesNotContain(graph.Nodes, n => n.Op is Ops.Int8.Int8ClampOp);
        var (mlp, _) = GeneratedCodeTests.Plan("int8_mlp");
        Assert.Single(mlp.Graph.Nodes, n => n.Op is Ops.Int8.Int8ClampOp);
        // The batchnorm folds into the conv before it, and every ReLU into its layer, through the batchnorm too.
        var (backbone, _) = GeneratedCodeTests.Plan("int8_backbone");
        Assert.Equal(["quantize_s8", "conv2d_s8", "depthwise_conv2d_s8", "conv2d_s8", "avgpool2d_s8"],
            backbone.Graph.Nodes.Where(n => n.Phase == NodePhase.Forward).Select(n => n.Op.Name).Take(5));
        Assert.DoesNotContain(backbone.Graph.Nodes, n => n.Op is Ops.Int8.Int8ClampOp);
    }

    private static void SkipWithoutCmsisNn()
    {
        var missing = ArmFirmware.MissingPrerequisite();
        Skip.If(missing is not null, missing);
        Skip.If(!ArmFirmware.Cmsis.HasNn, $"CMSIS-NN not found; set {CmsisRoots.NnVariable} to a CMSIS-NN checkout");
    }

    private KernelSelection OnBoard(string model, string boardName, KernelChoice choice)
    {
        KernelSelection? kernels = null;
        var board = ArmFirmware.Board(boardName);
        Compare(model, (training, plan, inputs, targets) =>
        {
            // kernels/cmsis/int8.c and kernels/armv7em/int8.c count the calls that fell back to the shared C (scratch
            // planned short): with the plan's sizes there must be none, or CMSIS-NN / the assembly would not be what was tested.
            string[] epilogue = choice == KernelChoice.Portable ? []
                : ["{ extern uint32_t ad_int8_fallbacks; printf(\"int8-fallbacks %u\\n\", (unsigned)ad_int8_fallbacks); }"];
            var run = ArmFirmware.Run(training, plan, board, choice, inputs, targets, predict: true, epilogue: epilogue);
            output.WriteLine($"{model} on {boardName}: {run.Kernels.Summary()}");
            kernels = run.Kernels;
            if (run.Kernels.Of(KernelSelection.Int8Family) is KernelSelection.Cmsis or KernelSelection.Armv7em)
                Assert.Equal("0", Assert.Single(run.OtherLines, l => l[0] == "int8-fallbacks")[1]);
            return (run.Losses, run.Parameters, run.Prediction);
        });
        return kernels!;
    }

    /// <summary>
    /// Five training steps in C and in the float32 interpreter; the prediction of the first batch
    /// (the dequantised int8 output) must be identical, losses and parameters within 1e-4.
    /// </summary>
    private static void Compare(string model,
        Func<TrainingGraph, global::Autodiff.Engine.Planning.MemoryPlan, float[][], float[][], (float[] Losses, Dictionary<string, float[]> Parameters, float[] Prediction)> run)
    {
        float[]? prediction = null;
        GeneratedCodeTests.CompareWithInterpreter(model, (training, plan, inputs, targets) =>
        {
            var result = run(training, plan, inputs, targets);
            prediction = result.Prediction;
            return (result.Losses, result.Parameters, null);
        });
        var (trained, _) = GeneratedCodeTests.Plan(model);
        var rng = new Random(1234);
        var x = GeneratedCodeTests.Data(trained.Graph.Inputs, rng, isTarget: false, trained);
        // The output does not depend on what trains, so an untrained interpreter predicts it.
        var expected = new Interpreter<float>(trained.Graph).Predict(trained.Prediction, new Dictionary<Tensor, float[]> { [trained.Graph.Inputs.Single()] = x });
        Assert.NotNull(prediction);
        Assert.Equal(expected.Length, prediction!.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(prediction[i]),
                $"{model}: output {i} is {prediction[i]:R} in C, {expected[i]:R} in the interpreter");
        // A constant output would make the comparison weak: the int8 path must produce varied values.
        Assert.True(expected.Distinct().Count() > expected.Length / 4, $"{model}: output barely varies: {string.Join(", ", expected)}");
    }
}
