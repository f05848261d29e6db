using System.Buffers.Binary;
using System.Text;

namespace Autodiff.Tasks;

/// <summary>A section header of an ELF image.</summary>
internal sealed record ElfSection(string Name, uint Type, ulong Flags, ulong Address, long Size)
{
    public const uint TypeSymbolTable = 2;
    public const uint TypeNoBits = 8;
    public const ulong FlagWrite = 0x1;
    public const ulong FlagAlloc = 0x2;

    public bool IsAllocated => (Flags & FlagAlloc) != 0;
}

/// <summary>A symbol of an ELF image's symbol table (<c>.symtab</c>): what <c>nm -S</c> lists.</summary>
internal sealed record ElfSymbol(string Name, ulong Value, long Size, int Type)
{
    public const int TypeObject = 1;
}

/// <summary>
/// The section headers and symbol table of an ELF32 or ELF64 file of either byte order, read directly
/// so the build needs no binutils (the host has none for Arm images, and a board may bring its own
/// toolchain prefix). Only what the firmware report and the size line use.
/// </summary>
internal sealed class ElfFile
{
    private ElfFile(IReadOnlyList<ElfSection> sections, IReadOnlyList<ElfSymbol> symbols)
    {
        Sections = sections;
        Symbols = symbols;
    }

    public IReadOnlyList<ElfSection> Sections { get; }

    /// <summary>Symbols of <c>.symtab</c>, local ones included (the model arenas are <c>static</c>); empty for a stripped image.</summary>
    public IReadOnlyList<ElfSymbol> Symbols { get; }

    /// <exception cref="InvalidDataException">The file is not ELF, or its tables lie outside it.</exception>
    public static ElfFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 52 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
            throw new InvalidDataException($"'{path}' is not an ELF file");
        var is64 = bytes[4] == 2;
        var little = bytes[5] == 1;

        ulong U(long offset, int size)
        {
            if (offset < 0 || offset + size > bytes.Length) throw new InvalidDataException($"'{path}' is truncated");
            var span = bytes.AsSpan((int)offset);
            return size switch
            {
                1 => span[0],
                2 => little ? BinaryPrimitives.ReadUInt16LittleEndian(span) : BinaryPrimitives.ReadUInt16BigEndian(span),
                4 => little ? BinaryPrimitives.ReadUInt32LittleEndian(span) : BinaryPrimitives.ReadUInt32BigEndian(span),
                _ => little ? BinaryPrimitives.ReadUInt64LittleEndian(span) : BinaryPrimitives.ReadUInt64BigEndian(span),
            };
        }

        string StringAt(long tableOffset, long tableSize, ulong index)
        {
            if (tableOffset < 0 || index >= (ulong)tableSize) return "";
            var start = tableOffset + (long)index;
            var end = start;
            while (end < bytes.Length && end < tableOffset + tableSize && bytes[end] != 0) end++;
            return start < bytes.Length ? Encoding.UTF8.GetString(bytes, (int)start, (int)(end - start)) : "";
        }

        var word = is64 ? 8 : 4;
        var sectionTable = (long)U(is64 ? 0x28 : 0x20, word);
        var entrySize = (int)U(is64 ? 0x3A : 0x2E, 2);
        var count = (int)U(is64 ? 0x3C : 0x30, 2);
        if (sectionTable <= 0 || sectionTable + (long)entrySize * count > bytes.Length)
            throw new InvalidDataException($"'{path}' has a truncated section table");

        // Raw headers first: names need the section-name table, symbols their string table.
        var headers = new List<(ulong Name, uint Type, ulong Flags, ulong Address, long Offset, long Size, int Link, long EntrySize)>();
        for (var i = 0; i < count; i++)
        {
            var entry = sectionTable + (long)i * entrySize;
            headers.Add((
                U(entry, 4),
                (uint)U(entry + 4, 4),
                U(entry + 8, word),
                U(entry + (is64 ? 0x10 : 0x0C), word),
                (long)U(entry + (is64 ? 0x18 : 0x10), word),
                (long)U(entry + (is64 ? 0x20 : 0x14), word),
                (int)U(entry + (is64 ? 0x28 : 0x18), 4),
                (long)U(entry + (is64 ? 0x38 : 0x24), word)));
        }

        var namesIndex = (int)U(is64 ? 0x3E : 0x32, 2);
        var names = namesIndex < count ? headers[namesIndex] : default;
        var sections = headers
            .Select(h => new ElfSection(namesIndex < count ? StringAt(names.Offset, names.Size, h.Name) : "", h.Type, h.Flags, h.Address, h.Size))
            .ToList();

        var symbols = new List<ElfSymbol>();
        foreach (var table in headers.Where(h => h.Type == ElfSection.TypeSymbolTable))
        {
            var strings = table.Link < count ? headers[table.Link] : default;
            var size = table.EntrySize > 0 ? table.EntrySize : is64 ? 24 : 16;
            for (var entry = table.Offset; entry + size <= table.Offset + table.Size; entry += size)
            {
                var name = StringAt(strings.Offset, strings.Size, U(entry, 4));
                var info = (int)U(entry + (is64 ? 4 : 12), 1);
                var value = U(entry + (is64 ? 8 : 4), word);
                var bytesOfSymbol = (long)U(entry + (is64 ? 16 : 8), word);
                symbols.Add(new ElfSymbol(name, value, bytesOfSymbol, info & 0xf));
            }
        }
        return new ElfFile(sections, symbols);
    }
}
