using Autodiff.Engine.Planning;

namespace Autodiff.Engine.Report;

/// <summary>
/// What the linked firmware puts in the board's RAM, as the firmware report draws it: the RAM region,
/// the image's blocks in it (sections, the stack, what is left free) and each model's arena at its
/// linked address. The SDK measures it from the image; nothing here depends on the build machine.
/// </summary>
/// <param name="ImageName">The image's file name (no folder), for the page's text.</param>
/// <param name="Budget">The models' RAM budget; its line is drawn at <c>RamAddress + Budget.Bytes</c>.</param>
/// <param name="Blocks">The image's use of RAM, in address order; arenas are drawn over them.</param>
public sealed record FirmwareMemory(
    string ImageName,
    string BoardName,
    long RamAddress,
    long RamBytes,
    Budget Budget,
    IReadOnlyList<RamBlock> Blocks,
    IReadOnlyList<ModelArena> Models)
{
    public long RamEnd => RamAddress + RamBytes;
}

/// <summary>What a <see cref="RamBlock"/> holds; it decides the block's colour.</summary>
public enum RamBlockKind
{
    /// <summary>Initialised statics (<c>.data</c>): copied from flash at reset.</summary>
    Data,

    /// <summary>Zeroed statics (<c>.bss</c>), where the model arenas are.</summary>
    Bss,

    /// <summary>Any other section the linker placed in RAM.</summary>
    OtherSection,

    /// <summary>The room the linker script keeps for the stack, which grows down from the top of RAM.</summary>
    Stack,

    /// <summary>RAM no section uses: the heap grows into it from below, the stack from above.</summary>
    Free,
}

/// <summary>Bytes [Address, Address + Bytes) of RAM; <paramref name="Description"/> is the hover text's explanation.</summary>
public sealed record RamBlock(string Name, long Address, long Bytes, RamBlockKind Kind, string Description);

/// <summary>
/// A model's arena in the image: the <c>NAME_arena</c> symbol's address and size, or null when the
/// image has no such symbol (a stripped image), with the plan of its buffers.
/// </summary>
/// <param name="ReportLink">The model's own report, relative to the firmware report.</param>
public sealed record ModelArena(string Name, long? Address, long Bytes, ArenaLayout Layout, string ReportLink);
