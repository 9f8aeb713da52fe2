using System.Text;
using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.IO;

/// <summary>Hostile bytes: whatever the mutation, the parser answers with a header or a SafetensorsException, never anything else.</summary>
public class SafetensorsHeaderFuzzTests
{
    private static byte[] ValidFile()
    {
        var w = new SafetensorsWriter(new Dictionary<string, string> { ["k"] = "v" });
        w.Add("conv1.weight", DType.F32, [2, 1, 3], new byte[24]);
        w.Add("bn.bias", DType.BF16, [2], new byte[4]);
        w.Add("z", DType.F4, [0, 2], Array.Empty<byte>());
        w.Add("s", DType.U8, [], new byte[1]);
        using var ms = new MemoryStream();
        w.WriteTo(ms);
        return ms.ToArray();
    }

    private static readonly byte[] Interesting = Encoding.ASCII.GetBytes("{}[]\",:0123456789-.eE \\u") is var a
        ? [.. a, 0x00, 0x80, 0xC0, 0xED, 0xF4, 0xFF]
        : [];

    [Test]
    public void ParseHeader_RandomMutations_OnlySafetensorsExceptions()
    {
        var valid = ValidFile();
        Assert.DoesNotThrow(() => SafetensorsBytes.Parse(valid));
        var random = new Random(42);
        var kinds = new HashSet<SafetensorsErrorKind>();
        int accepted = 0;
        for (int round = 0; round < 20000; round++)
        {
            var bytes = (byte[])valid.Clone();
            int edits = 1 + random.Next(3);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(bytes.Length);
                bytes[at] = random.Next(3) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
            }
            if (random.Next(8) == 0)
                Array.Resize(ref bytes, random.Next(bytes.Length + 16));
            try
            {
                SafetensorsFile.ParseHeader(bytes, bytes.Length, "fuzz");
                accepted++;
            }
            catch (SafetensorsException ex)
            {
                kinds.Add(ex.Kind);
                Assert.That(ex.Message, Does.StartWith("fuzz: ").And.Not.Contain("\n"));
            }
        }
        TestContext.Out.WriteLine($"accepted {accepted}; kinds seen: {string.Join(", ", kinds.Order())}");
        Assert.That(kinds, Has.Count.GreaterThanOrEqualTo(8), "mutations should reach most rules");
    }
}
