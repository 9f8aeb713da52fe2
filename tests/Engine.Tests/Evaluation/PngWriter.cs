using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Alds.Engine.Tests.Evaluation;

/// <summary>
/// A minimal PNG encoder (8-bit RGB or gray, filter 0, one IDAT), independent of SkiaSharp, so decoding is
/// checked against bytes we chose.
/// </summary>
internal static class PngWriter
{
    public static void WriteRgb(string path, int width, int height, Func<int, int, (byte r, byte g, byte b)> pixel) =>
        Write(path, width, height, colorType: 2, channels: 3, (y, x, row, o) =>
        {
            var (r, g, b) = pixel(y, x);
            row[o] = r;
            row[o + 1] = g;
            row[o + 2] = b;
        });

    public static void WriteGray(string path, int width, int height, Func<int, int, byte> pixel) =>
        Write(path, width, height, colorType: 0, channels: 1, (y, x, row, o) => row[o] = pixel(y, x));

    private static void Write(string path, int width, int height, byte colorType, int channels, Action<int, int, byte[], int> fill)
    {
        var raw = new MemoryStream();
        var row = new byte[1 + width * channels];
        for (int y = 0; y < height; y++)
        {
            row[0] = 0;
            for (int x = 0; x < width; x++) fill(y, x, row, 1 + x * channels);
            raw.Write(row);
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw.ToArray());

        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = colorType;
        Chunk(file, "IHDR", header);
        Chunk(file, "IDAT", compressed.ToArray());
        Chunk(file, "IEND", []);
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        output.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
