using Autodiff.Engine.Tests.CodeGen;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// The generated C of every test model, compiled by arm-none-eabi-gcc with
/// <c>-std=c99 -Wall -Wextra -Wpedantic -Werror -O2</c> and run in QEMU, against the reference
/// interpreter: on the Cortex-M4F (hardware float) with portable and with the default kernels
/// (armv7em there), on the Cortex-M3 (soft float) and on the Cortex-M7 (default kernels). Needs
/// arm-none-eabi-gcc, newlib and qemu-system-arm, which <c>.ci/run</c> installs; without them these
/// tests fail rather than pass unchecked. A model larger than a board's budget is reported as skipped.
/// </summary>
public class QemuInterpreterTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => GeneratedCodeTests.Models;

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Generated_C_on_stm32f4_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "stm32f4", KernelChoice.Portable);

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Generated_C_with_the_default_kernels_on_stm32f4_in_QEMU_matches_the_interpreter(string model) =>
        OnBoard(model, "stm32f4", KernelChoice.Auto);

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Generated_C_on_lm3s6965_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "lm3s6965", KernelChoice.Portable);

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Generated_C_with_the_default_kernels_on_cortex_m7_in_QEMU_matches_the_interpreter(string model) =>
        OnBoard(model, "cortex-m7", KernelChoice.Auto);

    private void OnBoard(string model, string boardName, KernelChoice kernels)
    {
        var board = ArmFirmware.Board(boardName);
        var (_, plan) = GeneratedCodeTests.Plan(model);
        // Planning refuses such a model for this board (AD3001): nothing to run.
        Skip.If(plan.ArenaBytes > board.BudgetBytes(), $"{model} needs a {plan.ArenaBytes} B arena; {boardName}'s budget is {board.BudgetBytes()} B");
        GeneratedCodeTests.CompareWithInterpreter(model, (training, p, inputs, targets) =>
        {
            var run = ArmFirmware.Run(training, p, board, kernels, inputs, targets);
            output.WriteLine($"{model} on {boardName}: {run.Kernels.Summary()}");
            return (run.Losses, run.Parameters, null);
        });
    }
}
