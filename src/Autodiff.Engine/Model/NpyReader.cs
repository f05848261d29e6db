using System.Buffers.Binary;
using System.Text;
using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1, 2 and 3) holding little-endian float32 or
/// float64 arrays in C order, the form <c>np.save</c> writes for <c>torch</c> weights converted
/// with <c>.numpy()</c>. Anything else is reported, never guessed at: a weight file silently
/// read in the wrong layout would train a different network.
/// </summary>
/// <remarks>
/// Layout: magic <c>\x93NUMPY</c>, major and minor version bytes, header length (uint16 LE for
/// v1, uint32 LE for v2/v3), then a Python dict literal such as
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c> padded with spaces and a
/// newline, then the raw data.
/// </remarks>
public static class NpyReader
{
    /// <summary>Bounds the memory a weights file can make the build allocate.</summary>
    public const long MaxFileBytes = 1L << 30;
    /// <summary>Real headers are under 200 bytes; the cap stops a hostile length field early.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads <paramref name="path"/>; problems are reported at <paramref name="at"/> (the <c>weights:</c> node).</summary>
    public static NpyArray? Read(string path, SourceLocation at, DiagnosticBag diags)
    {
        var bytes = BoundedFile.TryRead(path, MaxFileBytes, out var kind, out var problem);
        if (bytes is null)
        {
            var code = kind switch
            {
                FileProblem.Missing => ModelDiagnosticCodes.WeightsMissing,
                FileProblem.TooLarge => ModelDiagnosticCodes.NpyMalformed,
                _ => ModelDiagnosticCodes.FileUnreadable,
            };
            diags.Error(code, $"weights file '{MessageText.PrintablePath(path)}' {problem}", at);
            return null;
        }
        return Parse(bytes, path, at, diags);
    }

    /// <summary>Parses the bytes of a <c>.npy</c> file; <paramref name="displayName"/> names it in messages.</summary>
    public static NpyArray? Parse(ReadOnlySpan<byte> bytes, string displayName, SourceLocation at, DiagnosticBag diags)
    {
        bool Fail(string code, string why)
        {
            diags.Error(code, $"'{MessageText.PrintablePath(displayName)}' {why}", at);
            return false;
        }

        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
        {
            Fail(ModelDiagnosticCodes.NpyMalformed, "is not a .npy file (missing the \\x93NUMPY magic)");
            return null;
        }
        var major = bytes[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
                headerStart = 10;
                break;
            case 2 or 3 when bytes.Length >= 12:
                var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
                headerLength = length > MaxHeaderBytes ? -1 : (int)length;
                headerStart = 12;
                break;
            case 2 or 3:
                Fail(ModelDiagnosticCodes.NpyMalformed, "is truncated inside its preamble");
                return null;
            default:
                Fail(ModelDiagnosticCodes.NpyUnsupported, $"uses .npy format version {major}; versions 1 to 3 are read");
                return null;
        }
        if (headerLength < 0 || headerLength > MaxHeaderBytes)
        {
            Fail(ModelDiagnosticCodes.NpyMalformed, "declares an implausibly long header");
            return null;
        }
        if (bytes.Length < headerStart + headerLength)
        {
            Fail(ModelDiagnosticCodes.NpyMalformed, "is truncated inside its header");
            return null;
        }

        string header;
        try
        {
            // v1/v2 headers are latin-1, v3 UTF-8; a valid header is plain ASCII either way.
            var encoding = major == 3 ? new UTF8Encoding(false, true) : Encoding.Latin1;
            header = encoding.GetString(bytes.Slice(headerStart, headerLength));
        }
        catch (DecoderFallbackException)
        {
            Fail(ModelDiagnosticCodes.NpyMalformed, "has a header that is not valid UTF-8");
            return null;
        }

        if (!NpyHeader.TryParse(header, out var fields, out var error))
        {
            Fail(ModelDiagnosticCodes.NpyMalformed, $"has a malformed header: {error}");
            return null;
        }

        int itemSize;
        NpyDataType type;
        switch (fields.Descr)
        {
            case "<f4": itemSize = 4; type = NpyDataType.Float32; break;
            case "<f8": itemSize = 8; type = NpyDataType.Float64; break;
            default:
                Fail(ModelDiagnosticCodes.NpyUnsupported,
                    $"holds dtype '{ModelNames.Printable(fields.Descr)}'; little-endian float32 ('<f4') or float64 ('<f8') is read — convert with arr.astype('<f4')");
                return null;
        }
        if (fields.FortranOrder)
        {
            Fail(ModelDiagnosticCodes.NpyUnsupported, "is stored in Fortran order; save a C-ordered array (np.ascontiguousarray)");
            return null;
        }

        long count = 1;
        foreach (var d in fields.Shape)
        {
            count *= d;
            if (count * itemSize > MaxFileBytes)
            {
                Fail(ModelDiagnosticCodes.NpyMalformed, $"declares shape ({string.Join(", ", fields.Shape)}), larger than any weight file may be");
                return null;
            }
        }
        var data = bytes[(headerStart + headerLength)..];
        if (data.Length != count * itemSize)
        {
            Fail(ModelDiagnosticCodes.NpyMalformed,
                $"declares shape ({string.Join(", ", fields.Shape)}) = {count} values ({count * itemSize} bytes) but holds {data.Length} data bytes");
            return null;
        }

        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            var v = type == NpyDataType.Float32
                ? BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..])
                : (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]);
            if (!float.IsFinite(v))
            {
                diags.Error(ModelDiagnosticCodes.NpyNonFinite,
                    $"'{MessageText.PrintablePath(displayName)}' holds a non-finite value ({v}) at flat index {i}" +
                    (type == NpyDataType.Float64 ? " (float64 values beyond float32 range count as infinite)" : ""), at);
                return null;
            }
            values[i] = v;
        }
        return new NpyArray(fields.Shape, values, type);
    }
}
