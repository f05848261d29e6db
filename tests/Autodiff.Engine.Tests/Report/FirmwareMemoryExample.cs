using Autodiff.Engine.Planning;
using Autodiff.Engine.Report;
using Autodiff.Engine.Tests.CodeGen;
using Autodiff.Engine.Tests.Planning;
using Xunit;

namespace Autodiff.Engine.Tests.Report;

/// <summary>
/// A firmware as the SDK measures it from an stm32f4 image, laid out by hand: two real models' plans,
/// their arenas inside .bss, the stack at the top of RAM and free RAM between.
/// </summary>
internal static class FirmwareMemoryExample
{
    public const long Ram = 0x20000000;

    public static FirmwareMemory TwoModels(string first = "adam_mlp", string second = "residual_rmsprop")
    {
        var board = MemoryPlanTests.Board("stm32f4");
        var layouts = new[] { first, second }.Select(model =>
        {
            var result = ModelCompiler.Compile(new CompileRequest(GeneratedCodeTests.ModelPath(model), board, KernelChoice.Portable));
            Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
            return (Name: result.ModelName!, Layout: result.Arena!);
        }).ToList();

        var data = new RamBlock(".data", Ram, 0x120, RamBlockKind.Data, "initialised statics");
        var arenaStart = Ram + 0x120 + 0x40;
        var arenas = new List<ModelArena>();
        var at = arenaStart;
        foreach (var (name, layout) in layouts)
        {
            var bytes = Math.Max(layout.ArenaBytes, 8);
            arenas.Add(new ModelArena(name, at, bytes, layout, FirmwareReportWriter.ModelReportLink(name)));
            at += bytes + 0x18;
        }
        var bss = new RamBlock(".bss", Ram + 0x120, at + 0x100 - (Ram + 0x120), RamBlockKind.Bss, "zeroed statics");
        var stack = new RamBlock("stack", Ram + board.RamBytes - 0x800, 0x800, RamBlockKind.Stack, "stack");
        var free = new RamBlock("free", bss.Address + bss.Bytes, stack.Address - (bss.Address + bss.Bytes), RamBlockKind.Free, "free");
        return new FirmwareMemory("Firmware.elf", board.Name, board.RamAddress, board.RamBytes, Budget.For(board, null, null),
            [data, bss, free, stack], arenas);
    }
}
