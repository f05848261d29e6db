using System.Buffers.Binary;
using System.IO.Compression;

namespace Autodiff.Tasks.Data;

/// <summary>
/// Reads IDX files, the format of the MNIST family of data sets (MNIST, Fashion-MNIST, EMNIST), plain
/// or gzip-compressed: two zero bytes, a type byte, the number of axes, each axis as a big-endian
/// int32, then the values in C order, big-endian.
/// </summary>
internal static class IdxFile
{
    /// <summary>The NumPy dtype and item size of each IDX type byte.</summary>
    private static readonly Dictionary<byte, (string Descr, int Size)> Types = new()
    {
        [0x08] = ("|u1", 1),
        [0x09] = ("|i1", 1),
        [0x0B] = ("<i2", 2),
        [0x0C] = ("<i4", 4),
        [0x0D] = ("<f4", 4),
        [0x0E] = ("<f8", 8),
    };

    /// <summary>The array as a NumPy dtype, shape and little-endian data; null with the problem otherwise.</summary>
    public static (string Descr, IReadOnlyList<int> Shape, byte[] Data)? Read(string path, out string problem)
    {
        byte[] bytes;
        try
        {
            bytes = Decompressed(path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            problem = "cannot be read: " + e.Message;
            return null;
        }
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0 || !Types.TryGetValue(bytes[2], out var type))
        {
            problem = "is not an IDX file (two zero bytes, then a type byte 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)";
            return null;
        }
        var rank = bytes[3];
        var shape = new List<int>();
        var count = 1L;
        for (var axis = 0; axis < rank; axis++)
        {
            var at = 4 + axis * 4;
            if (at + 4 > bytes.Length)
            {
                problem = "is truncated inside its dimensions";
                return null;
            }
            var dim = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            if (dim < 0)
            {
                problem = $"has a negative dimension ({dim})";
                return null;
            }
            shape.Add(dim);
            count *= dim;
        }
        var dataStart = 4 + rank * 4;
        if (bytes.Length - dataStart != count * type.Size)
        {
            problem = $"declares shape ({string.Join(", ", shape)}) = {count} values of {type.Size} bytes but holds {bytes.Length - dataStart} data bytes";
            return null;
        }
        var data = bytes.AsSpan(dataStart).ToArray();
        // IDX is big-endian, NumPy's descr here little-endian: swap each value in place.
        if (type.Size > 1)
            for (var i = 0; i < data.Length; i += type.Size) data.AsSpan(i, type.Size).Reverse();
        problem = "";
        return (type.Descr, shape, data);
    }

    /// <summary>The file's bytes, gunzipped when it starts with the gzip magic; bounded like every data file.</summary>
    private static byte[] Decompressed(string path)
    {
        var raw = Engine.Model.BoundedFile.TryRead(path, NpyData.MaxFileBytes, out _, out var problem)
                  ?? throw new IOException($"'{path}' {problem}");
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return raw;
        using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (memory.Length + read > NpyData.MaxFileBytes)
                throw new InvalidDataException($"decompresses to more than {NpyData.MaxFileBytes} bytes");
            memory.Write(buffer, 0, read);
        }
        return memory.ToArray();
    }
}
