// Build script: dotnet tool restore && dotnet cake --target=<Build|Test|Pack|PackageTest|Bench|Publish>
#r "System.Xml.Linq"
using System.Xml.Linq;
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchFilter = Argument("filter", "*");
var testFilter = Argument("test-filter", ""); // Test: narrows every group, e.g. --test-filter="FullyQualifiedName~Cache"

Task("Build").Does(() =>
{
    DotNetBuild("Engine.sln", new DotNetBuildSettings { Configuration = configuration });
});

// Three runs, reported apart: the tests proper, the fuzz-corpus replays (category FuzzReplay) and the GPU tests
// (category Gpu, skipped without a device). Counts come from the TRX results, not from the runner's summary line
// (which hides skips). In CI (CI=true) only Gpu tests may skip: any other skipped test turns the build red.
Task("Test").IsDependentOn("Build").Does(() =>
{
    var results = MakeAbsolute(Directory("artifacts/test-results"));
    CleanDirectory(results);
    var groups = new[]
    {
        (Name: "tests", Filter: "TestCategory!=Gpu&TestCategory!=FuzzReplay", MaySkip: false),
        (Name: "fuzz-corpus replays", Filter: "TestCategory=FuzzReplay", MaySkip: false),
        (Name: "gpu", Filter: "TestCategory=Gpu", MaySkip: true),
    };
    var errors = new List<string>();
    var summaries = new List<string>();
    var skippedLines = new List<string>();
    bool ci = string.Equals(EnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
    int all = 0, allRun = 0, allSkipped = 0, allFailed = 0;
    foreach (var g in groups)
    {
        var trx = results.CombineWithFilePath(g.Name.Replace(' ', '-') + ".trx");
        try
        {
            DotNetTest("tests/Engine.Tests/Engine.Tests.csproj", new DotNetTestSettings
            {
                Configuration = configuration,
                NoBuild = true,
                Filter = testFilter.Length == 0 ? g.Filter : $"({g.Filter})&({testFilter})",
                Loggers = new[] { "trx;LogFileName=" + trx.FullPath },
            });
        }
        catch (Exception e) { errors.Add($"{g.Name}: {e.Message}"); }
        if (!FileExists(trx)) { errors.Add($"{g.Name}: no TRX results at {trx}"); continue; }
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var doc = XDocument.Load(trx.FullPath);
        var classOf = doc.Descendants(ns + "UnitTest").ToDictionary(
            u => (string)u.Attribute("id"), u => (string)u.Element(ns + "TestMethod")?.Attribute("className") ?? "");
        int run = 0, skipped = 0, failed = 0;
        foreach (var r in doc.Descendants(ns + "UnitTestResult"))
        {
            var outcome = (string)r.Attribute("outcome");
            if (outcome == "Passed") { run++; continue; }
            var name = classOf.GetValueOrDefault((string)r.Attribute("testId"), "") + "." + (string)r.Attribute("testName");
            if (outcome == "NotExecuted" || outcome == "Inconclusive")
            {
                skipped++;
                var why = ((string)r.Descendants(ns + "Message").FirstOrDefault() ?? (string)r.Descendants(ns + "StdOut").FirstOrDefault() ?? "")
                    .Trim().Split('\n')[0].Trim();
                if (why.Length > 160) why = why.Substring(0, 160) + "…";
                skippedLines.Add($"  skipped [{g.Name}] {name}: {why}");
                if (ci && !g.MaySkip) errors.Add($"CI=true and a non-Gpu test skipped: {name}: {why}");
            }
            else { run++; failed++; }
        }
        all += run + skipped; allRun += run; allSkipped += skipped; allFailed += failed;
        summaries.Add($"  {g.Name,-20} executed {run,5}   skipped {skipped,4}   failed {failed,4}");
    }
    Information("");
    Information("Test results (from TRX, {0}):", results);
    foreach (var s in summaries) Information(s);
    Information($"  {"total",-20} executed {allRun,5}   skipped {allSkipped,4}   failed {allFailed,4}   (discovered {all})");
    foreach (var s in skippedLines.OrderBy(l => l, StringComparer.Ordinal)) Information(s);

    // The packages, installed from a local folder feed into a fresh consumer (PackageTest below).
    try
    {
        PackAll(noBuild: true);
        PackageInstallTest();
        Information("  packages             Alds.Engine and the alds tool installed from {0} and run: passed", packagesDir);
    }
    catch (Exception e) { errors.Add($"packages: {e.Message}"); Information("  packages             FAILED: {0}", e.Message); }
    if (errors.Count > 0) throw new Exception("tests failed:\n  " + string.Join("\n  ", errors));
});

// The two packages (Alds.Engine with Alds.Interop inside; the `alds` .NET tool) in artifacts/packages.
var packagesDir = MakeAbsolute(Directory("artifacts/packages"));

void PackAll(bool noBuild)
{
    CleanDirectory(packagesDir);
    foreach (var project in new[] { "src/Engine/Engine.csproj", "src/Cli/Cli.csproj" })
    {
        DotNetPack(project, new DotNetPackSettings
        {
            Configuration = configuration,
            NoBuild = noBuild,
            OutputDirectory = packagesDir,
            // the tool runs from its IL on any platform; the dev build's ReadyToRun step is for bin/ only
            MSBuildSettings = new DotNetMSBuildSettings().WithProperty("AldsReadyToRun", "false")
                .WithProperty("BuildProjectReferences", noBuild ? "false" : "true"),
        });
    }
}

// Installs both packages from the folder feed artifacts/packages into a fresh temporary consumer, offline:
// - the tool (`dotnet tool install --tool-path`) runs `alds inspect --json` on its embedded model, which must print
//   what the build's own alds prints;
// - a console program referencing Alds.Engine compiles the README's library example (the C# block of "Library use",
//   taken from README.md as it is) and runs it on that model; its output file must equal, byte for byte, the
//   tool's `alds compress MODEL --keep 0.5 -o OUT`.
// The consumer sees only the feed and the packages already restored on this machine (the user's NuGet folder as a
// read-only fallback; its own packages folder is fresh, so a stale Alds.Engine 0.1.0 from an earlier run can never
// be picked up): no network, nothing left behind.
void PackageInstallTest()
{
    var work = MakeAbsolute(Directory("artifacts/package-test"));
    if (DirectoryExists(work)) DeleteDirectory(work, new DeleteDirectorySettings { Recursive = true, Force = true });
    CreateDirectory(work);
    string Run(string file, string args, string workingDirectory = null)
    {
        var settings = new ProcessSettings { Arguments = args, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? work.FullPath };
        settings.EnvironmentVariables = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        int code = StartProcess(file, settings, out var stdout, out var stderr);
        var output = string.Join("\n", stdout);
        if (code != 0)
            throw new Exception($"`{file} {args}` exited {code}:\n{output}\n{string.Join("\n", stderr)}");
        return output;
    }
    string globalPackages = Run("dotnet", "nuget locals global-packages --list").Split(':', 2)[1].Trim();
    System.IO.File.WriteAllText(work.CombineWithFilePath("nuget.config").FullPath, $@"<?xml version=""1.0"" encoding=""utf-8""?>
<configuration>
  <packageSources><clear /><add key=""alds-local"" value=""{packagesDir.FullPath}"" /></packageSources>
  <fallbackPackageFolders><clear /><add key=""restored"" value=""{globalPackages}"" /></fallbackPackageFolders>
  <config><add key=""globalPackagesFolder"" value=""{work.FullPath}/packages"" /></config>
</configuration>
");
    var config = work.CombineWithFilePath("nuget.config").FullPath;

    // the tool
    Run("dotnet", $"tool install alds --version 0.1.0 --tool-path \"{work}/tool\" --configfile \"{config}\"");
    var alds = work.CombineWithFilePath("tool/alds").FullPath;
    var model = System.IO.Directory.GetFiles(work.Combine("tool/.store").FullPath, "ResNet18.onnx", SearchOption.AllDirectories).Single();
    var built = MakeAbsolute(File($"src/Cli/bin/{configuration}/net10.0/alds")).FullPath;
    var builtModel = MakeAbsolute(File($"src/Cli/bin/{configuration}/net10.0/DnnImageModels/ResNet18Onnx/ResNet18.onnx")).FullPath;
    var inspected = Run(alds, "inspect --json"); // the embedded model: the one in the tool's own folder
    if (!inspected.Contains($"\"model\": \"{model}\"")) throw new Exception($"the installed tool did not inspect its embedded model {model}");
    if (inspected.Replace(model, "MODEL") != Run(built, "inspect --json").Replace(builtModel, "MODEL"))
        throw new Exception("the installed tool's `alds inspect --json` differs from the build's (beyond the model's path)");
    Run(alds, $"compress \"{model}\" --keep 0.5 -o \"{work}/tool.safetensors\"");

    // the library: the README's example, compiled against the package
    var readme = System.IO.File.ReadAllText("README.md");
    var section = readme.Substring(readme.IndexOf("## Library use", StringComparison.Ordinal));
    int start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
    if (start < "```csharp\n".Length) throw new Exception("README.md: no ```csharp block under \"## Library use\"");
    var example = section.Substring(start, section.IndexOf("```", start, StringComparison.Ordinal) - start);
    var consumer = work.Combine("consumer");
    CreateDirectory(consumer);
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("Program.cs").FullPath, example);
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("Consumer.csproj").FullPath, @"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include=""Alds.Engine"" Version=""0.1.0"" />
  </ItemGroup>
</Project>
");
    // the consumer stands alone: no Directory.Build.props / Directory.Packages.props of this repository above it
    System.IO.File.WriteAllText(work.CombineWithFilePath("Directory.Build.props").FullPath, "<Project />\n");
    System.IO.File.WriteAllText(work.CombineWithFilePath("Directory.Packages.props").FullPath, "<Project />\n");
    Run("dotnet", "build -c Release", consumer.FullPath); // the nuget.config above it: the feed, the fallback folder
    var printed = Run("dotnet", $"run -c Release --no-build -- \"{model}\" \"{work}/library.safetensors\"", consumer.FullPath);
    Information("  library example: {0}", printed.Trim());
    var a = System.IO.File.ReadAllBytes($"{work}/tool.safetensors");
    var b = System.IO.File.ReadAllBytes($"{work}/library.safetensors");
    if (!a.AsSpan().SequenceEqual(b)) throw new Exception("the README's library example and `alds compress --keep 0.5` wrote different files");
    DeleteDirectory(work, new DeleteDirectorySettings { Recursive = true, Force = true });
}

Task("Pack").IsDependentOn("Build").Does(() => PackAll(noBuild: true));

Task("PackageTest").IsDependentOn("Pack").Does(() => PackageInstallTest());

Task("Bench").IsDependentOn("Build").Does(() =>
{
    DotNetRun("bench/Alds.Bench/Alds.Bench.csproj", new ProcessArgumentBuilder().Append("--filter").AppendQuoted(benchFilter),
        new DotNetRunSettings { Configuration = "Release", NoBuild = true });
});

Task("Publish").Does(() =>
{
    DotNetPublish("src/Cli/Cli.csproj", new DotNetPublishSettings
    {
        Configuration = "Release",
        Runtime = "linux-x64",
        SelfContained = true,
        PublishReadyToRun = true, // precompiled: no JIT at start-up (warm-cache re-planning is start-up bound)
        OutputDirectory = "artifacts/alds-linux-x64",
    });
});

RunTarget(target);
