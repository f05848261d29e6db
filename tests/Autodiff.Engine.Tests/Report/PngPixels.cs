using System.Buffers.Binary;
using System.IO.Compression;

namespace Autodiff.Engine.Tests.Report;

/// <summary>
/// Just enough PNG decoding to look at a browser screenshot: 8-bit greyscale, RGB or RGBA, not
/// interlaced (what Chromium writes). Returns RGB per pixel.
/// </summary>
internal sealed class PngPixels
{
    public int Width { get; private init; }
    public int Height { get; private init; }
    private byte[] Rgb { get; init; } = [];

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get { var i = (y * Width + x) * 3; return (Rgb[i], Rgb[i + 1], Rgb[i + 2]); }
    }

    public static PngPixels Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8 || bytes[1] != 'P' || bytes[2] != 'N' || bytes[3] != 'G') throw new InvalidDataException("not a PNG");
        int width = 0, height = 0, colourType = 0;
        var idat = new MemoryStream();
        for (var pos = 8; pos + 8 <= bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            var type = System.Text.Encoding.ASCII.GetString(bytes, pos + 4, 4);
            var data = bytes.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0) throw new InvalidDataException("only 8-bit, non-interlaced PNG");
                colourType = data[9];
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            pos += 12 + length;
        }
        var channels = colourType switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"colour type {colourType}") };
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        z.CopyTo(raw);
        var scan = raw.ToArray();

        var stride = width * channels;
        var current = new byte[stride];
        var previous = new byte[stride];
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            var filter = scan[y * (stride + 1)];
            Array.Copy(scan, y * (stride + 1) + 1, current, 0, stride);
            for (var i = 0; i < stride; i++)
            {
                int a = i >= channels ? current[i - channels] : 0, b = previous[i], c = i >= channels ? previous[i - channels] : 0;
                current[i] = (byte)(current[i] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                });
            }
            for (var x = 0; x < width; x++)
            {
                var o = (y * width + x) * 3;
                if (channels < 3) rgb[o] = rgb[o + 1] = rgb[o + 2] = current[x * channels];
                else { rgb[o] = current[x * channels]; rgb[o + 1] = current[x * channels + 1]; rgb[o + 2] = current[x * channels + 2]; }
            }
            (previous, current) = (current, previous);
        }
        return new PngPixels { Width = width, Height = height, Rgb = rgb };
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
