using Autodiff.Engine.Boards;
using Autodiff.Engine.Planning;
using Autodiff.Engine.Report;

namespace Autodiff.Tasks;

/// <summary>
/// Turns a linked Arm image into what the firmware report draws: the sections the linker placed in the
/// board's RAM, the stack and free RAM as the SDK's Cortex-M linker script arranges them (statics from
/// the bottom, the heap growing up after them, the stack down from the top, at least
/// <c>.stack_reserve</c>'s size kept for it), and each model's arena at its <c>NAME_arena</c> symbol.
/// </summary>
internal static class FirmwareRamLayout
{
    public static FirmwareMemory Measure(ElfFile image, string imageName, BoardSpec board, Budget budget,
        IReadOnlyList<(string Name, ArenaLayout Layout)> models)
    {
        var ram = new ElfImageSizes.Region(board.RamAddress, board.RamBytes);
        var inRam = image.Sections.Where(s => s.IsAllocated && s.Size > 0 && ram.Contains(s.Address)).ToList();
        var blocks = inRam
            .Where(s => s.Name != ElfImageSizes.StackReserveSection)
            .Select(s => new RamBlock(s.Name, (long)s.Address, s.Size, Kind(s), Description(s)))
            .ToList();

        var staticEnd = blocks.Count == 0 ? board.RamAddress : blocks.Max(b => b.Address + b.Bytes);
        var ramEnd = board.RamAddress + board.RamBytes;
        var freeEnd = ramEnd;
        if (inRam.FirstOrDefault(s => s.Name == ElfImageSizes.StackReserveSection) is { } reserve && reserve.Size <= ramEnd - staticEnd)
        {
            freeEnd = ramEnd - reserve.Size;
            blocks.Add(new RamBlock("stack", freeEnd, reserve.Size, RamBlockKind.Stack,
                "the stack grows down from the top of RAM; the linker script keeps at least this much free for it (.stack_reserve)"));
        }
        if (freeEnd > staticEnd)
            blocks.Add(new RamBlock("free", staticEnd, freeEnd - staticEnd, RamBlockKind.Free,
                "no section uses it: the heap grows up into it from the end of the statics, the stack down from above"));

        var arenas = models.Select(m => Arena(image, ram, m.Name, m.Layout)).ToList();
        return new FirmwareMemory(imageName, board.Name, board.RamAddress, board.RamBytes, budget,
            blocks.OrderBy(b => b.Address).ToList(), arenas);
    }

    /// <summary>The generated C's <c>static ... NAME_arena</c>; a compiler may add a suffix to a local symbol's name (<c>.lto_priv.0</c>).</summary>
    public static string ArenaSymbol(string model) => model + "_arena";

    private static ModelArena Arena(ElfFile image, ElfImageSizes.Region ram, string model, ArenaLayout layout)
    {
        var name = ArenaSymbol(model);
        var symbol = image.Symbols
            .Where(s => s.Type == ElfSymbol.TypeObject && s.Size > 0 && ram.Contains(s.Value))
            .FirstOrDefault(s => s.Name == name || s.Name.StartsWith(name + ".", StringComparison.Ordinal));
        return new ModelArena(model, symbol is null ? null : (long)symbol.Value, symbol?.Size ?? layout.ArenaBytes, layout,
            FirmwareReportWriter.ModelReportLink(model));
    }

    private static RamBlockKind Kind(ElfSection section) => section.Name switch
    {
        ".data" => RamBlockKind.Data,
        ".bss" => RamBlockKind.Bss,
        _ => RamBlockKind.OtherSection,
    };

    private static string Description(ElfSection section) => section.Name switch
    {
        ".data" => "initialised statics, copied from flash at reset",
        ".bss" => "zeroed statics; the model arenas are among them",
        _ when section.Type == ElfSection.TypeNoBits => "a section without contents placed in RAM",
        _ => "a section with contents placed in RAM",
    };
}
