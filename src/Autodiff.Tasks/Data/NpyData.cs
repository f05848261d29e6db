using System.Buffers.Binary;
using System.Text;
using Autodiff.Engine.Model;

namespace Autodiff.Tasks.Data;

/// <summary>The numeric element types a data file may hold, as NumPy names them.</summary>
internal enum StoredType { Bool, UInt8, Int8, Int16, UInt16, Int32, UInt32, Float32, Float64 }

/// <summary>
/// A NumPy <c>.npy</c> array read for embedding in flash: its shape (C order), its stored element type
/// and its raw little-endian bytes, read element by element so a large data set is never copied into
/// a wider type. The header is parsed by the engine's <see cref="NpyHeader"/>, as for weights files.
/// </summary>
internal sealed class NpyData
{
    /// <summary>Bounds the memory a data file can make the build allocate (flash is far smaller).</summary>
    public const long MaxFileBytes = 1L << 30;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private readonly byte[] _bytes;
    private readonly int _dataStart;

    private NpyData(IReadOnlyList<int> shape, StoredType type, byte[] bytes, int dataStart)
    {
        Shape = shape;
        Type = type;
        _bytes = bytes;
        _dataStart = dataStart;
    }

    public IReadOnlyList<int> Shape { get; }

    public StoredType Type { get; }

    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>The <paramref name="index"/>-th element in C order, as a double (exact for every stored type).</summary>
    public double this[long index]
    {
        get
        {
            var at = _bytes.AsSpan(_dataStart + (int)(index * ItemSize(Type)));
            return Type switch
            {
                StoredType.Bool or StoredType.UInt8 => at[0],
                StoredType.Int8 => (sbyte)at[0],
                StoredType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(at),
                StoredType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(at),
                StoredType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(at),
                StoredType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(at),
                StoredType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(at),
                _ => BinaryPrimitives.ReadDoubleLittleEndian(at),
            };
        }
    }

    /// <summary>Reads <paramref name="path"/>; null with the reason in <paramref name="problem"/> when it cannot.</summary>
    public static NpyData? Read(string path, out string problem)
    {
        var bytes = BoundedFile.TryRead(path, MaxFileBytes, out _, out var fileProblem);
        if (bytes is null)
        {
            problem = fileProblem ?? "cannot be read";
            return null;
        }
        return Parse(bytes, out problem);
    }

    /// <summary>Parses the bytes of a <c>.npy</c> file (format versions 1 to 3).</summary>
    public static NpyData? Parse(byte[] bytes, out string problem)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            return Fail(out problem, "is not a .npy file (missing the \\x93NUMPY magic)");
        var major = bytes[6];
        long headerLength;
        int headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
                headerStart = 10;
                break;
            case 2 or 3 when bytes.Length >= 12:
                headerLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
                headerStart = 12;
                break;
            case 2 or 3:
                return Fail(out problem, "is truncated inside its preamble");
            default:
                return Fail(out problem, $"uses .npy format version {major}; versions 1 to 3 are read");
        }
        if (headerStart + headerLength > bytes.Length)
            return Fail(out problem, "is truncated inside its header");

        string header;
        try
        {
            var encoding = major == 3 ? new UTF8Encoding(false, true) : Encoding.Latin1;
            header = encoding.GetString(bytes, headerStart, (int)headerLength);
        }
        catch (DecoderFallbackException)
        {
            return Fail(out problem, "has a header that is not valid UTF-8");
        }
        if (!NpyHeader.TryParse(header, out var fields, out var error))
            return Fail(out problem, $"has a malformed header: {error}");
        if (TypeOf(fields.Descr) is not { } type)
            return Fail(out problem,
                $"holds dtype '{ModelNames.Printable(fields.Descr)}'; bool, uint8, int8, int16, uint16, int32, uint32, float32 and float64 " +
                "(little-endian) are read — convert with arr.astype(...)");
        if (fields.FortranOrder)
            return Fail(out problem, "is stored in Fortran order; save a C-ordered array (np.ascontiguousarray)");

        var count = fields.Shape.Aggregate(1L, (a, d) => a * d);
        var dataStart = headerStart + (int)headerLength;
        if (bytes.Length - dataStart != count * ItemSize(type))
            return Fail(out problem,
                $"declares shape ({string.Join(", ", fields.Shape)}) = {count} values ({count * ItemSize(type)} bytes) but holds {bytes.Length - dataStart} data bytes");
        problem = "";
        return new NpyData(fields.Shape, type, bytes, dataStart);
    }

    public static int ItemSize(StoredType type) => type switch
    {
        StoredType.Bool or StoredType.UInt8 or StoredType.Int8 => 1,
        StoredType.Int16 or StoredType.UInt16 => 2,
        StoredType.Int32 or StoredType.UInt32 or StoredType.Float32 => 4,
        _ => 8,
    };

    /// <summary>NumPy's dtype strings: '|' (no byte order) for bytes, '&lt;' for little-endian, '=' as written on little-endian machines.</summary>
    private static StoredType? TypeOf(string descr) => descr switch
    {
        "|b1" => StoredType.Bool,
        "|u1" or "<u1" or "=u1" => StoredType.UInt8,
        "|i1" or "<i1" or "=i1" => StoredType.Int8,
        "<i2" => StoredType.Int16,
        "<u2" => StoredType.UInt16,
        "<i4" => StoredType.Int32,
        "<u4" => StoredType.UInt32,
        "<f4" => StoredType.Float32,
        "<f8" => StoredType.Float64,
        _ => null,
    };

    private static NpyData? Fail(out string problem, string why)
    {
        problem = why;
        return null;
    }
}
