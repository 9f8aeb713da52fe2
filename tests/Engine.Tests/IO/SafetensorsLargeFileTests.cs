using System.Buffers.Binary;
using System.Text;
using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.IO;

/// <summary>A sparse file over 4 GiB with one 5 GiB tensor: only the header and two marker bytes are written.</summary>
public class SafetensorsLargeFileTests
{
    private const long TensorBytes = 5L << 30;

    [Test]
    public void Open_SparseFileOver4GiB_ViewsPast2And4GiBWork()
    {
        using var dir = new TempDirectory();
        string path = dir.File("big.safetensors");
        string json = $"{{\"big\":{{\"dtype\":\"U8\",\"shape\":[{TensorBytes}],\"data_offsets\":[0,{TensorBytes}]}}," +
                      "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + TensorBytes + "," + (TensorBytes + 8) + "]}}";
        json = json.PadRight((json.Length + 7) / 8 * 8);
        long dataStart = 8 + json.Length;
        long past4GiB = (4L << 30) + 12345;
        long past2GiB = (2L << 30) + 3;
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            var header = new byte[8 + json.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)json.Length);
            Encoding.ASCII.GetBytes(json, header.AsSpan(8));
            fs.Write(header);
            fs.SetLength(dataStart + TensorBytes + 8);
            fs.Position = dataStart + past4GiB;
            fs.WriteByte(0xAB);
            fs.Position = dataStart + past2GiB;
            fs.WriteByte(0xCD);
            fs.Position = dataStart + TensorBytes;
            fs.Write(BitConverter.GetBytes(1.5f));
            fs.Write(BitConverter.GetBytes(-3f));
        }

        using (var f = SafetensorsFile.Open(path))
        {
            var big = f.Get("big");
            Assert.Multiple(() =>
            {
                Assert.That(f.FileLength, Is.GreaterThan(4L << 30));
                Assert.That(big.ByteLength, Is.EqualTo(TensorBytes));
                Assert.That(f.GetBytes("big", past4GiB - 1, 3).ToArray(), Is.EqualTo(new byte[] { 0, 0xAB, 0 }));
                Assert.That(f.GetBytes("big", past2GiB, 1)[0], Is.EqualTo(0xCD));
                Assert.That(f.GetBytes("big", TensorBytes - 4, 4).ToArray(), Is.EqualTo(new byte[4]));
            });
            unsafe
            {
                Assert.That(f.DangerousGetPointer("big")[past4GiB], Is.EqualTo(0xAB));
            }
            var e = Assert.Throws<SafetensorsException>(() => f.GetBytes("big"))!;
            Assert.That(e.Kind, Is.EqualTo(SafetensorsErrorKind.TensorTooLarge));
            var tail = new double[2];
            f.ReadFloat64("tail", tail);
            Assert.That(tail, Is.EqualTo(new[] { 1.5, -3.0 }));
            Assert.That(f.Get("tail").Begin, Is.EqualTo(TensorBytes));
            Assert.That(f.Tensors.Select(t => t.DType), Is.EqualTo(new[] { DType.U8, DType.F32 }));
        }
        File.Delete(path);
    }
}
