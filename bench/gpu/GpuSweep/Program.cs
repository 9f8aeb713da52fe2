using System.Diagnostics;
using System.Globalization;
using Alds.Engine.Analysis;
using Alds.Engine.Gpu;
using Alds.Engine.Layers;
using Alds.GpuSweep;
using Alds.Interop;

// alds-gpusweep selftest
// alds-gpusweep sweep --out DIR [--bert-blocks N] [--llama-blocks N] [--onnx FILE | --resnet-shapes TSV]
// Exit: 0 ok, 1 failure, 2 bad usage, 3 no CUDA device.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is not ("selftest" or "sweep" or "list"))
{
    Console.Error.WriteLine("usage: Alds.GpuSweep selftest | sweep --out DIR [--bert-blocks N] [--llama-blocks N] [--onnx FILE] | list --onnx FILE");
    return 2;
}
if (args[0] == "list")
{
    // No device needed: shows what the sweep would read from an ONNX model.
    long total = 0;
    foreach (var l in Workloads.Onnx(Option("--onnx", ""), "onnx"))
    {
        total += l.Spec.Params;
        Console.WriteLine($"{l.Spec.Name}\t{string.Join("x", l.Spec.Shape)}\tk={string.Join(",", l.GroupCounts)}\tsum={l.Weight().Sum():G6}");
    }
    Console.WriteLine($"conv weight params: {total}");
    return 0;
}
if (!CudaRuntime.IsAvailable)
{
    Console.Error.WriteLine($"no CUDA device: {CudaRuntime.UnavailableReason}");
    return 3;
}
string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var info = CudaRuntime.Describe(0);
Console.WriteLine($"device: {info.Name} ({info.Architecture}, {info.MultiProcessors} SMs, {info.TotalMemoryBytes >> 20} MiB), " +
                  $"CUDA runtime {CudaRuntime.RuntimeVersion()}, XsyevBatched: {CudaRuntime.HasBatchedLargeEigensolver}");
var open = Stopwatch.StartNew();
using var gpu = GpuSpectralBackend.Create();
Console.WriteLine($"backend: {gpu.Name}, large solver {gpu.LargeSolver}, opened (NVRTC compile included) in {open.ElapsedMilliseconds} ms");

return args[0] == "selftest" ? SelfTest.Run(gpu) : Sweep(gpu, info);

int Sweep(GpuSpectralBackend backend, CudaDeviceInfo device)
{
    var outDir = Option("--out", "bench/results");
    Directory.CreateDirectory(outDir);
    var layers = new List<SweepLayer>();
    layers.AddRange(Workloads.Bert(int.Parse(Option("--bert-blocks", "1"))));
    layers.AddRange(Workloads.Llama(int.Parse(Option("--llama-blocks", "1"))));
    var onnx = Option("--onnx", "");
    var shapeTable = Option("--resnet-shapes", "");
    if (onnx.Length > 0 && File.Exists(onnx)) layers.AddRange(Workloads.Onnx(onnx, "resnet18"));
    else if (shapeTable.Length > 0 && File.Exists(shapeTable)) layers.AddRange(Workloads.Shapes(shapeTable, "resnet18-shapes"));
    else if (onnx.Length + shapeTable.Length > 0) Console.Error.WriteLine("warning: neither --onnx nor --resnet-shapes file found; ResNet18 skipped");

    // Shapes for peer.py: the same groups, one line per (layer, scheme, k).
    using var shapes = new StreamWriter(Path.Combine(outDir, "shapes.tsv"));
    shapes.WriteLine("model\tlayer\tout\tin\tkh\tkw\tscheme\tgroups");
    using var rows = new StreamWriter(Path.Combine(outDir, "alds-gpu.tsv"));
    rows.WriteLine("model\tlayer\tshape\tschemes\tgroups\tms\tnorm\terr_max_at_quarter_rank");

    // Warm-up: first cuBLAS/cuSOLVER calls load their own kernels.
    var warm = new LayerSpec("warm", LayerKind.Linear, 64, 64, 1, 1, "warm", null);
    backend.AnalyzeLayer(warm, Workloads.RandomWeight(warm, 0), [0], [1, 2]);

    var perModel = new Dictionary<string, (double ms, int layers)>();
    foreach (var layer in layers)
    {
        var w = layer.Weight();
        var sw = Stopwatch.StartNew();
        var options = backend.AnalyzeLayer(layer.Spec, w, layer.Schemes, layer.GroupCounts);
        double ms = sw.Elapsed.TotalMilliseconds;
        foreach (var o in options)
            shapes.WriteLine($"{layer.Model}\t{layer.Spec.Name}\t{layer.Spec.Out}\t{layer.Spec.In}\t{layer.Spec.Kh}\t{layer.Spec.Kw}\t{o.Scheme}\t{o.Groups}");
        var first = options[0];
        rows.WriteLine($"{layer.Model}\t{layer.Spec.Name}\t{string.Join("x", layer.Spec.Shape)}\t{string.Join(",", layer.Schemes)}\t" +
                       $"{string.Join(",", layer.GroupCounts)}\t{ms:F1}\t{first.Norm:G6}\t{first.ErrorsMax[first.MaxRank / 4]:G6}");
        var acc = perModel.GetValueOrDefault(layer.Model);
        perModel[layer.Model] = (acc.ms + ms, acc.layers + 1);
        Console.WriteLine($"{layer.Model,-10} {layer.Spec.Name,-40} {string.Join("x", layer.Spec.Shape),-16} {options.Count,3} options {ms,10:F1} ms");
    }

    using var summary = new StreamWriter(Path.Combine(outDir, "alds-gpu-summary.md"));
    summary.WriteLine($"| model | layers | total ms (ALDS GPU sweep, {device.Name}) |");
    summary.WriteLine("|---|---|---|");
    foreach (var (model, (ms, n)) in perModel) summary.WriteLine($"| {model} | {n} | {ms:F0} |");
    Console.WriteLine($"wrote {outDir}/alds-gpu.tsv, shapes.tsv, alds-gpu-summary.md");
    return 0;
}
