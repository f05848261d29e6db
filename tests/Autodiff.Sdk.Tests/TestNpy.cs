using System.Text;

namespace Autodiff.Sdk.Tests;

/// <summary>Writes small <c>.npy</c> files (format 1.0, C order) for the AutodiffData tests.</summary>
public static class TestNpy
{
    public static byte[] Float32(int[] shape, params float[] values) =>
        Bytes("<f4", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    public static byte[] UInt8(int[] shape, params byte[] values) => Bytes("|u1", shape, values);

    public static byte[] Int8(int[] shape, params sbyte[] values) => Bytes("|i1", shape, values.Select(v => (byte)v).ToArray());

    public static byte[] Bytes(string descr, int[] shape, byte[] data)
    {
        var dims = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
        header = header.PadRight((10 + header.Length + 1 + 63) / 64 * 64 - 11) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange(Encoding.ASCII.GetBytes("NUMPY"));
        bytes.AddRange(new byte[] { 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8) });
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return bytes.ToArray();
    }
}
