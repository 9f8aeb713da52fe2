using Alds.Fuzz;
using SharpFuzz;

// Usage:
//   Alds.Fuzz TARGET                 run under afl-fuzz (SharpFuzz out-of-process loop)
//   Alds.Fuzz TARGET --repro FILE..  run the target once per file, without AFL; exit 1 if any crashed
//   Alds.Fuzz seed DIR               write the seed corpora DIR/{safetensors,onnx,cache}
if (args.Length >= 2 && args[0] == "seed")
{
    Seeds.Write(args[1]);
    return 0;
}
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Alds.Fuzz ({string.Join('|', Targets.All.Keys)}) [--repro FILE...] | seed DIR");
    return 2;
}
if (args.Length >= 2 && args[1] == "--repro")
{
    int crashed = 0;
    foreach (var file in args.Skip(2))
    {
        try
        {
            target(File.ReadAllBytes(file));
            Console.WriteLine($"ok    {file}");
        }
        catch (Exception e)
        {
            crashed++;
            Console.WriteLine($"CRASH {file}: {e.GetType().Name}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }
    return crashed == 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
