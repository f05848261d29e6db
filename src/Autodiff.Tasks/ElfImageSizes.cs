namespace Autodiff.Tasks;

/// <summary>
/// Sizes of a linked image the way <c>size</c> counts them (Berkeley format): text = allocated,
/// read-only sections (code and constants, which live in flash); data = allocated, writable sections
/// with contents (in RAM, with their initial values also in flash); bss = allocated sections without
/// contents (zeroed RAM). Read from the ELF section headers, so no binutils are needed. The
/// linker script's <c>.stack_reserve</c> (room kept free for the stack) is not counted: it is not
/// data the firmware defines. Given the board's RAM and flash, a section counts only where it is
/// placed: in flash as text, in RAM as data or bss, elsewhere (e.g. the stm32f4's CCM) not at all.
/// </summary>
internal sealed record ElfImageSizes(long Text, long Data, long Bss)
{
    /// <summary>The Cortex-M linker script's room kept free for the stack: not data the firmware defines.</summary>
    public const string StackReserveSection = ".stack_reserve";

    /// <summary>Bytes the image occupies in flash: code, constants and initial values of .data.</summary>
    public long Flash => Text + Data;

    /// <summary>Bytes of static RAM the image uses: .data and .bss.</summary>
    public long Ram => Data + Bss;

    /// <summary>A memory region of the board: <c>[Start, Start + Bytes)</c>.</summary>
    public sealed record Region(long Start, long Bytes)
    {
        public bool Contains(ulong address) =>
            address >= (ulong)Start && address - (ulong)Start < (ulong)Bytes;
    }

    /// <summary>Reads the section headers of an ELF32 or ELF64 file of either byte order.</summary>
    /// <param name="path">The image.</param>
    /// <param name="ram">The board's RAM; null counts every allocated writable section.</param>
    /// <param name="flash">The board's flash; null counts every allocated read-only section.</param>
    /// <exception cref="InvalidDataException">The file is not ELF.</exception>
    public static ElfImageSizes Read(string path, Region? ram = null, Region? flash = null) => Of(ElfFile.Read(path), ram, flash);

    /// <summary>The sizes of an image already read.</summary>
    public static ElfImageSizes Of(ElfFile image, Region? ram = null, Region? flash = null)
    {
        long text = 0, data = 0, bss = 0;
        foreach (var section in image.Sections)
        {
            if (section.Name == StackReserveSection || !section.IsAllocated) continue;
            // Placed by address where the region is known: a writable section in flash (.init_array)
            // is flash, a section in neither region (CCM) is not counted.
            var noBits = section.Type == ElfSection.TypeNoBits;
            var writable = (section.Flags & ElfSection.FlagWrite) != 0 || noBits;
            var inRam = ram?.Contains(section.Address) ?? writable;
            var inFlash = !inRam && !noBits && (flash?.Contains(section.Address) ?? !writable);
            if (inRam && noBits) bss += section.Size;
            else if (inRam) data += section.Size;
            else if (inFlash) text += section.Size;
        }
        return new ElfImageSizes(text, data, bss);
    }
}
