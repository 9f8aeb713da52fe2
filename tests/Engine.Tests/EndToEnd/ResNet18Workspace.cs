using System.Text.Json;
using Alds.Cli;
using Alds.Engine.Tests.Cli;

namespace Alds.Engine.Tests.EndToEnd;

/// <summary>
/// One folder for every end-to-end test of this namespace: the analysis cache of the embedded ResNet18
/// (the sweep runs once per test run; every later command reuses it) and the compressed files several
/// tests inspect, each made on first use.
/// </summary>
[SetUpFixture]
public class ResNet18Workspace
{
    private static TempFolder? _folder;
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (string path, string stdout)> Made = [];

    [OneTimeSetUp]
    public void Create() => _folder = new TempFolder("alds-e2e-");

    [OneTimeTearDown]
    public void Delete()
    {
        _folder?.Dispose();
        _folder = null;
        lock (Gate) Made.Clear();
    }

    private static TempFolder Folder => _folder ?? throw new InvalidOperationException("the workspace fixture has not run");

    /// <summary>The shared <c>--cache</c> folder.</summary>
    public static string Cache => Directory.CreateDirectory(Folder["cache"]).FullName;

    /// <summary>A path in the workspace.</summary>
    public static string PathOf(string name) => Folder[name];

    /// <summary>Runs <c>alds args --cache CACHE</c> in-process; asserts exit 0.</summary>
    internal static AldsRunner.Result RunCached(params string[] args)
    {
        var r = AldsRunner.Run([.. args, "--cache", Cache]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Success), r.ToString());
        return r;
    }

    /// <summary>
    /// <c>alds compress --json -o NAME options</c> on the embedded model, made once: the output path and the
    /// printed plan JSON.
    /// </summary>
    public static (string path, JsonElement plan) Compressed(string name, params string[] options)
    {
        lock (Gate)
        {
            if (!Made.TryGetValue(name, out var made))
            {
                var path = PathOf(name);
                var r = RunCached(["compress", "--json", "-o", path, .. options]);
                made = Made[name] = (path, r.Out);
            }
            return (made.path, JsonDocument.Parse(made.stdout).RootElement.Clone());
        }
    }

    /// <summary><c>--keep 0.5</c> to safetensors.</summary>
    public static (string path, JsonElement plan) Half() => Compressed("half.safetensors", "--keep", "0.5");

    /// <summary><c>--keep 1</c> to safetensors: every layer whole, the ONNX model's tensors as safetensors.</summary>
    public static (string path, JsonElement plan) Whole() => Compressed("whole.safetensors", "--keep", "1");
}
