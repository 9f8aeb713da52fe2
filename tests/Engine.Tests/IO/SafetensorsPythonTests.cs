using System.Diagnostics;
using Alds.Engine.IO;
using Alds.Engine.Tensors;

namespace Alds.Engine.Tests.IO;

/// <summary>
/// An independent reader: PyTorch (json + torch.frombuffer; the safetensors package is not
/// installed here) reads our file, and its own float32 → float16/bfloat16 rounding is the oracle.
/// </summary>
[Category("Python")]
public class SafetensorsPythonTests
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
import json, struct, sys
import torch
path = sys.argv[1]
raw = open(path, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
assert n % 8 == 0, 'header not padded'
header = json.loads(raw[8:8 + n].decode('utf-8'))
meta = header.pop('__metadata__')
assert meta == {'format': 'pt', 'alds.version': '1'}, meta
dtypes = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16, 'I64': torch.int64}
t, end = {}, 0
for name, e in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
    b, en = e['data_offsets']
    assert b == end, (name, b, end)
    end = en
    buf = bytearray(raw[8 + n + b: 8 + n + en])
    dt = dtypes[e['dtype']]
    t[name] = torch.frombuffer(buf, dtype=dt).reshape(e['shape']) if buf else torch.empty(e['shape'], dtype=dt)
assert 8 + n + end == len(raw), 'trailing bytes'
f32 = t['f32']
assert torch.equal(t['bf16'].view(torch.int16), f32.to(torch.bfloat16).view(torch.int16)), 'bf16 rounding'
assert torch.equal(t['f16'].view(torch.int16), f32.to(torch.float16).view(torch.int16)), 'f16 rounding'
assert torch.equal(t['f64'].to(torch.float32).reshape(64, 64), f32), 'f64'
assert t['i64'].tolist() == [[-1, 2], [3, -(2**63)]], t['i64'].tolist()
assert t['scalar'].shape == torch.Size([]) and t['scalar'].item() == 0.5
assert t['empty'].shape == torch.Size([3, 0])
print('OK', len(t))
""";

    [Test]
    public void PyTorch_ReadsWriterOutput_SameValuesAndRounding()
    {
        Oracles.Requires.Torch();

        var random = new Random(5);
        var floats = new float[4096];
        for (int i = 0; i < floats.Length; i++)
        {
            uint bits = (uint)random.NextInt64(0, 1L << 32);
            if (i % 4 == 0) bits = (bits & 0xFFFF_0000) | 0x8000; // exact bfloat16 ties
            if (i % 8 == 1) bits = (bits & 0xFFFF_E000) | 0x1000; // exact float16 ties (normal range)
            floats[i] = BitConverter.UInt32BitsToSingle(bits);
            if (float.IsNaN(floats[i]))
                floats[i] = 1.0f; // torch keeps NaN payloads differently; NaN handling is tested elsewhere
        }
        var writer = new SafetensorsWriter(new Dictionary<string, string> { ["format"] = "pt", ["alds.version"] = "1" });
        writer.AddFloat32("f32", DType.F32, [64, 64], floats);
        writer.AddFloat32("bf16", DType.BF16, [64, 64], floats);
        writer.AddFloat32("f16", DType.F16, [64, 64], floats);
        writer.AddFloat64("f64", DType.F64, [4096], floats.Select(f => (double)f).ToArray());
        writer.Add("i64", DType.I64, [2, 2], new[] { -1L, 2, 3, long.MinValue }.SelectMany(BitConverter.GetBytes).ToArray());
        writer.AddFloat64("scalar", DType.F32, [], new[] { 0.5 });
        writer.Add("empty", DType.BF16, [3, 0], Array.Empty<byte>());
        using var dir = new TempDirectory();
        string path = dir.File("py.safetensors");
        writer.WriteTo(path);

        var result = Run("-c", Script, path);
        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Output.Trim(), Is.EqualTo("OK 7"));
    }

    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
