using System.Buffers.Binary;
using System.IO.Compression;

namespace Graceful.Tests.Drill;

/// <summary>
/// The pixels of a PNG, enough to check what a screenshot shows: 8-bit RGB or RGBA, not interlaced (what Chromium
/// writes). Decoding checks the signature and the chunk structure, so a truncated or foreign file fails here.
/// </summary>
internal sealed class PngPixels
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private readonly byte[] _rgba;

    private PngPixels(int width, int height, byte[] rgba)
    {
        Width = width;
        Height = height;
        _rgba = rgba;
    }

    public int Width { get; }

    public int Height { get; }

    public static PngPixels Read(string path)
    {
        var file = File.ReadAllBytes(path);
        if (!file.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new InvalidDataException($"{path} is not a PNG.");
        }

        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        for (var at = 8; at < file.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
            var data = file.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                channels = data[9] switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"colour type {data[9]} is not RGB or RGBA") };
                if (data[8] != 8 || data[12] != 0)
                {
                    throw new InvalidDataException("only 8-bit, non-interlaced PNGs are read here");
                }
            }
            else if (type == "IDAT")
            {
                compressed.Write(data);
            }

            at += 12 + length;
        }

        compressed.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        return new PngPixels(width, height, Unfilter(inflated.ToArray(), width, height, channels));
    }

    /// <summary>How many pixels are within <paramref name="tolerance"/> of the colour <paramref name="hex"/> (#RRGGBB) in every channel.</summary>
    public int Count(string hex, int tolerance = 8)
    {
        var r = Convert.ToInt32(hex[1..3], 16);
        var g = Convert.ToInt32(hex[3..5], 16);
        var b = Convert.ToInt32(hex[5..7], 16);
        var count = 0;
        for (var i = 0; i < _rgba.Length; i += 4)
        {
            if (Math.Abs(_rgba[i] - r) <= tolerance && Math.Abs(_rgba[i + 1] - g) <= tolerance && Math.Abs(_rgba[i + 2] - b) <= tolerance)
            {
                count++;
            }
        }

        return count;
    }

    private static byte[] Unfilter(byte[] raw, int width, int height, int channels)
    {
        var stride = width * channels;
        var previous = new byte[stride];
        var current = new byte[stride];
        var rgba = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            Array.Copy(raw, (y * (stride + 1)) + 1, current, 0, stride);
            for (var x = 0; x < stride; x++)
            {
                int left = x >= channels ? current[x - channels] : 0, up = previous[x], upLeft = x >= channels ? previous[x - channels] : 0;
                current[x] += filter switch
                {
                    0 => 0,
                    1 => (byte)left,
                    2 => (byte)up,
                    3 => (byte)((left + up) / 2),
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"filter {filter}"),
                };
            }

            for (var x = 0; x < width; x++)
            {
                Array.Copy(current, x * channels, rgba, ((y * width) + x) * 4, 3);
                rgba[(((y * width) + x) * 4) + 3] = channels == 4 ? current[(x * channels) + 3] : (byte)255;
            }

            (previous, current) = (current, previous);
        }

        return rgba;
    }

    private static byte Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }
}
