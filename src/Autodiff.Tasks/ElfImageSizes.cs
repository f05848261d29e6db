using System.Buffers.Binary;

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
    private const uint SectionNoBits = 8;
    private const ulong FlagWrite = 0x1;
    private const ulong FlagAlloc = 0x2;

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
    public static ElfImageSizes Read(string path, Region? ram = null, Region? flash = null)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 52 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
            throw new InvalidDataException($"'{path}' is not an ELF file");
        var is64 = bytes[4] == 2;
        var little = bytes[5] == 1;

        ulong U(int offset, int size) => size switch
        {
            2 => little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset)) : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(offset)),
            4 => little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset)),
            _ => little ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset)) : BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(offset)),
        };

        var word = is64 ? 8 : 4;
        var sectionTable = (long)U(is64 ? 0x28 : 0x20, word);
        var entrySize = (int)U(is64 ? 0x3A : 0x2E, 2);
        var count = (int)U(is64 ? 0x3C : 0x30, 2);
        if (sectionTable <= 0 || sectionTable + (long)entrySize * count > bytes.Length)
            throw new InvalidDataException($"'{path}' has a truncated section table");

        var namesIndex = (int)U(is64 ? 0x3E : 0x32, 2);
        var namesOffset = namesIndex < count
            ? (long)U((int)(sectionTable + (long)namesIndex * entrySize) + (is64 ? 0x18 : 0x10), word)
            : -1;

        string NameAt(int entry)
        {
            if (namesOffset < 0) return "";
            var start = namesOffset + (long)U(entry, 4);
            var end = start;
            while (end < bytes.Length && bytes[end] != 0) end++;
            return start < bytes.Length ? System.Text.Encoding.ASCII.GetString(bytes, (int)start, (int)(end - start)) : "";
        }

        long text = 0, data = 0, bss = 0;
        for (var i = 0; i < count; i++)
        {
            var entry = (int)(sectionTable + (long)i * entrySize);
            if (NameAt(entry) == ".stack_reserve") continue;
            var type = (uint)U(entry + 4, 4);
            var flags = U(entry + 8, word);
            var address = U(entry + (is64 ? 0x10 : 0x0C), word);
            var size = (long)U(entry + (is64 ? 0x20 : 0x14), word);
            if ((flags & FlagAlloc) == 0) continue;
            // Placed by address where the region is known: a writable section in flash (.init_array)
            // is flash, a section in neither region (CCM) is not counted.
            var writable = (flags & FlagWrite) != 0 || type == SectionNoBits;
            var inRam = ram?.Contains(address) ?? writable;
            var inFlash = !inRam && type != SectionNoBits && (flash?.Contains(address) ?? !writable);
            if (inRam && type == SectionNoBits) bss += size;
            else if (inRam) data += size;
            else if (inFlash) text += size;
        }
        return new ElfImageSizes(text, data, bss);
    }
}
