using System.Buffers.Binary;
using System.Text;

namespace Autodiff.Engine.Tests.Model;

/// <summary>Writes .npy files the way numpy does, so tests need no committed binaries.</summary>
internal static class NpyBytes
{
    public static byte[] Float32(int[] shape, float[] values, int version = 1) =>
        Build("<f4", shape, version, values.SelectMany(v =>
        {
            var b = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            return b;
        }).ToArray());

    public static byte[] Float64(int[] shape, double[] values, int version = 1) =>
        Build("<f8", shape, version, values.SelectMany(v =>
        {
            var b = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, v);
            return b;
        }).ToArray());

    /// <summary>A file with a hand-written header dict, for malformed-header tests.</summary>
    public static byte[] Build(string descr, int[] shape, int version, byte[] data, bool fortran = false, string? rawHeader = null)
    {
        var tuple = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var dict = rawHeader ?? $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {tuple}, }}";
        var prefix = version == 1 ? 10 : 12;
        // numpy pads the header with spaces so the data starts at a multiple of 64, ending in '\n'.
        var total = prefix + dict.Length + 1;
        var padded = dict + new string(' ', (64 - total % 64) % 64) + "\n";
        var header = Encoding.ASCII.GetBytes(padded);
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0 };
        if (version == 1)
        {
            bytes.Add((byte)(header.Length & 0xff));
            bytes.Add((byte)(header.Length >> 8));
        }
        else
        {
            var len = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length);
            bytes.AddRange(len);
        }
        bytes.AddRange(header);
        bytes.AddRange(data);
        return bytes.ToArray();
    }
}
