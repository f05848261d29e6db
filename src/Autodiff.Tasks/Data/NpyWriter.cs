using System.Text;

namespace Autodiff.Tasks.Data;

/// <summary>Writes <c>.npy</c> files (format version 1.0, C order), the form <c>numpy.save</c> writes.</summary>
internal static class NpyWriter
{
    public static byte[] ToBytes(string descr, IReadOnlyList<int> shape, ReadOnlySpan<byte> data)
    {
        var dims = shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
        // The preamble (10 bytes) and the header end on a multiple of 64 bytes, the header with '\n'.
        var padded = dict.PadRight((10 + dict.Length + 1 + 63) / 64 * 64 - 10 - 1) + "\n";
        var header = Encoding.ASCII.GetBytes(padded);
        var bytes = new byte[10 + header.Length + data.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(bytes, 1);
        bytes[6] = 1;
        bytes[7] = 0;
        bytes[8] = (byte)(header.Length & 0xFF);
        bytes[9] = (byte)(header.Length >> 8);
        header.CopyTo(bytes, 10);
        data.CopyTo(bytes.AsSpan(10 + header.Length));
        return bytes;
    }
}
