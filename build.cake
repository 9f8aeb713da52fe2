// Build script: dotnet tool restore && dotnet cake --target=<Build|Test|Bench|Publish>
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchFilter = Argument("filter", "*");

Task("Build").Does(() =>
{
    DotNetBuild("Engine.sln", new DotNetBuildSettings { Configuration = configuration });
});

Task("Test").IsDependentOn("Build").Does(() =>
{
    DotNetTest("tests/Engine.Tests/Engine.Tests.csproj", new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
    });
});

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
