using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// The generated C of every test model, compiled by arm-none-eabi-gcc with
/// <c>-std=c99 -Wall -Wextra -Wpedantic -Werror -O2</c> and run in QEMU, against the reference
/// interpreter: on the Cortex-M4F (hardware float) with portable and with the default kernels
/// (armv7em there), on the Cortex-M3 (soft float), on the Cortex-M7 (portable and default kernels),
/// on the Cortex-M33 (portable) and on the Cortex-M55 (portable, the default kernels, and every CMSIS
/// family forced, which need the CMSIS trees: skipped with the reason without them). Needs
/// arm-none-eabi-gcc, newlib and qemu-system-arm, which <c>.ci/run</c> installs; without them these
/// tests fail rather than pass unchecked.
/// </summary>
public class QemuInterpreterTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => GeneratedCodeTests.Models;

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_on_stm32f4_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "stm32f4", KernelChoice.Portable);

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_with_the_default_kernels_on_stm32f4_in_QEMU_matches_the_interpreter(string model) =>
        OnBoard(model, "stm32f4", KernelChoice.Auto);

    /// <summary>The test models whose arena fits lm3s6965's 64 KiB (the MNIST MLP does not: planning refuses it there).</summary>
    public static TheoryData<string> ModelsThatFitLm3s6965
    {
        get
        {
            var board = ArmFirmware.Board("lm3s6965");
            var data = new TheoryData<string>();
            foreach (var model in ((IEnumerable<object[]>)Models).Select(row => (string)row[0]))
                if (GeneratedCodeTests.Plan(model).Plan.ArenaBytes <= board.BudgetBytes()) data.Add(model);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ModelsThatFitLm3s6965))]
    public void Generated_C_on_lm3s6965_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "lm3s6965", KernelChoice.Portable);

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_with_the_default_kernels_on_cortex_m7_in_QEMU_matches_the_interpreter(string model) =>
        OnBoard(model, "cortex-m7", KernelChoice.Auto);

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_on_cortex_m7_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "cortex-m7", KernelChoice.Portable);

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_on_cortex_m33_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "cortex-m33", KernelChoice.Portable);

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_on_cortex_m55_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "cortex-m55", KernelChoice.Portable);

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Generated_C_with_the_default_kernels_on_cortex_m55_in_QEMU_matches_the_interpreter(string model)
    {
        SkipWithoutCmsisNn();
        OnBoard(model, "cortex-m55", KernelChoice.Auto);
    }

    /// <summary>Every family with a CMSIS implementation takes it (auto leaves tiny linear layers portable).</summary>
    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Generated_C_with_every_CMSIS_family_on_cortex_m55_in_QEMU_matches_the_interpreter(string model)
    {
        SkipWithoutCmsisNn();
        var selection = OnBoard(model, "cortex-m55", KernelChoice.Cmsis);
        foreach (var (family, chosen) in selection.Families)
            Assert.Equal(File.Exists(Path.Combine(ArmFirmware.KernelsDirectory, "cmsis", family + ".c")) ? KernelSelection.Cmsis : KernelSelection.Portable, chosen);
    }

    private static void SkipWithoutCmsisNn()
    {
        var missing = ArmFirmware.MissingPrerequisite();
        Skip.If(missing is not null, missing);
        Skip.If(!ArmFirmware.Cmsis.HasNn, $"CMSIS-NN not found; set {CmsisRoots.NnVariable} to a CMSIS-NN checkout");
    }

    private KernelSelection OnBoard(string model, string boardName, KernelChoice kernels)
    {
        KernelSelection? selection = null;
        var board = ArmFirmware.Board(boardName);
        var (_, plan) = GeneratedCodeTests.Plan(model);
        Assert.True(plan.ArenaBytes <= board.BudgetBytes(), $"{model} needs a {plan.ArenaBytes} B arena; {boardName}'s budget is {board.BudgetBytes()} B");
        GeneratedCodeTests.CompareWithInterpreter(model, (training, p, inputs, targets) =>
        {
            var run = ArmFirmware.Run(training, p, board, kernels, inputs, targets);
            output.WriteLine($"{model} on {boardName}: {run.Kernels.Summary()}");
            selection = run.Kernels;
            return (run.Losses, run.Parameters, null);
        });
        return selection!;
    }
}
