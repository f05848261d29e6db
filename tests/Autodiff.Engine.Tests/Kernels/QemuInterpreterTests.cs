using Autodiff.Engine.Tests.CodeGen;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// The generated C of every test model, compiled by arm-none-eabi-gcc with
/// <c>-std=c99 -Wall -Wextra -Wpedantic -Werror -O2</c> on portable kernels and run in QEMU, against
/// the reference interpreter: on the Cortex-M4F (hardware float) and on the Cortex-M3 (soft float).
/// Needs arm-none-eabi-gcc, newlib and qemu-system-arm, which <c>.ci/run</c> installs; without them
/// these tests fail rather than pass unchecked.
/// </summary>
public class QemuInterpreterTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => GeneratedCodeTests.Models;

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_on_stm32f4_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "stm32f4");

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_on_lm3s6965_in_QEMU_matches_the_interpreter(string model) => OnBoard(model, "lm3s6965");

    private void OnBoard(string model, string boardName)
    {
        var board = ArmFirmware.Board(boardName);
        var (_, plan) = GeneratedCodeTests.Plan(model);
        if (plan.ArenaBytes > board.BudgetBytes())
        {
            // Planning refuses such a model for this board (AD3001); nothing to run.
            output.WriteLine($"{model} needs a {plan.ArenaBytes} B arena; {boardName}'s budget is {board.BudgetBytes()} B");
            return;
        }
        GeneratedCodeTests.CompareWithInterpreter(model, (training, p, inputs, targets) =>
        {
            var run = ArmFirmware.Run(training, p, board, KernelChoice.Portable, inputs, targets);
            return (run.Losses, run.Parameters, null);
        });
    }
}
