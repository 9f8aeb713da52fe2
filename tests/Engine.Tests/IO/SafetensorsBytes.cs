using System.Buffers.Binary;
using System.Text;
using Alds.Engine.IO;

namespace Alds.Engine.Tests.IO;

/// <summary>Builds safetensors files byte by byte, so each test states the exact bytes it feeds the reader.</summary>
internal static class SafetensorsBytes
{
    public const string FileName = "model.safetensors";

    /// <summary>8-byte length N (the header's length unless overridden), header, then <paramref name="dataLength"/> data bytes.</summary>
    public static byte[] File(string header, long dataLength = 0, ulong? declaredLength = null) =>
        File(Encoding.UTF8.GetBytes(header), dataLength, declaredLength);

    public static byte[] File(byte[] header, long dataLength = 0, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        for (long i = 0; i < dataLength; i++)
            bytes[8 + header.Length + i] = (byte)(i * 7 + 1);
        return bytes;
    }

    public static SafetensorsHeader Parse(byte[] file) => SafetensorsFile.ParseHeader(file, file.Length, FileName);

    public static SafetensorsException Reject(byte[] file, SafetensorsErrorKind kind, string? tensor = null)
    {
        var e = Assert.Throws<SafetensorsException>(() => Parse(file))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Kind, Is.EqualTo(kind), e.Message);
            Assert.That(e.TensorName, Is.EqualTo(tensor), e.Message);
            Assert.That(e.FilePath, Is.EqualTo(FileName));
            Assert.That(e.Message, Does.StartWith(FileName + ": "));
            Assert.That(e.Message, Does.Not.Contain("\n").And.Not.Contain("\r"));
        });
        return e;
    }
}

/// <summary>A fresh directory under the system temp folder, deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("alds-io-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Entries() => Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).ToArray()!;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
