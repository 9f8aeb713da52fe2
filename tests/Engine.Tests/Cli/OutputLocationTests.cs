using System.Diagnostics;
using System.Security.Cryptography;
using Alds.Cli;

namespace Alds.Engine.Tests.Cli;

/// <summary>
/// Outputs that cannot be written: the input itself, a missing or read-only folder, a full file system.
/// Each: exit 1, one line, the input untouched, no partial output and no temporary file left.
/// </summary>
public class OutputLocationTests
{
    private TempFolder _dir = null!;
    private string _model = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempFolder();
        _model = _dir["small.safetensors"];
        SmallModel.Write(_model);
    }

    [TearDown] public void TearDown() => _dir.Dispose();

    private static byte[] Hash(string path) => SHA256.HashData(File.ReadAllBytes(path));

    [TestCase(".safetensors")]
    [TestCase(".onnx")]
    public void Compress_OutputIsTheInput_RefusesInputUntouched(string extension)
    {
        var model = _dir["model" + extension];
        if (extension == ".onnx") File.Copy(AldsRunner.EmbeddedModel, model);
        else File.Copy(_model, model);
        File.Delete(_model);
        var before = Hash(model);
        var time = File.GetLastWriteTimeUtc(model);

        // Same file spelled differently: a relative path with a dot segment.
        var r = AldsRunner.Run("compress", model, "--keep", "0.5", "-o", Path.Combine(_dir.Path, ".", Path.GetFileName(model)));
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.OneLineError(r, "model" + extension);
        Assert.That(r.Err, Does.Not.Contain("internal error"));
        Assert.That(Hash(model), Is.EqualTo(before));
        Assert.That(File.GetLastWriteTimeUtc(model), Is.EqualTo(time));
        CliAssert.FolderHolds(_dir.Path, "model" + extension);
    }

    [Test]
    public void Compress_OutputIsASymlinkToTheInput_RefusesInputUntouched()
    {
        var link = _dir["link.safetensors"];
        File.CreateSymbolicLink(link, _model);
        var before = Hash(_model);
        var r = AldsRunner.Run("compress", _model, "--keep", "0.5", "-o", link);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.OneLineError(r, "link.safetensors");
        Assert.That(Hash(_model), Is.EqualTo(before));
        CliAssert.FolderHolds(_dir.Path, "small.safetensors", "link.safetensors");
    }

    [Test]
    public void Compress_SafetensorsInputToOnnx_ExitOneNothingWritten()
    {
        var r = AldsRunner.Run("compress", _model, "--keep", "0.5", "-o", _dir["x.onnx"]);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.ErrorAfterProgress(r, "onnx");
        CliAssert.FolderHolds(_dir.Path, "small.safetensors");
    }

    [Test]
    public void Compress_OutputFolderMissing_ExitOneNamesTheOutput()
    {
        var output = Path.Combine(_dir.Path, "no", "such", "x.safetensors");
        var r = AldsRunner.Run("compress", _model, "--keep", "0.5", "-o", output);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.OneLineError(r, "x.safetensors");
        Assert.That(r.Err, Does.Not.Contain(".tmp"), "the message should name the output, not a temporary file");
        CliAssert.FolderHolds(_dir.Path, "small.safetensors");
    }

    [Test]
    public void Compress_OutputIsAFolder_ExitOne()
    {
        var output = _dir.Sub("out.safetensors");
        var r = AldsRunner.Run("compress", _model, "--keep", "0.5", "-o", output);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.OneLineError(r, "out.safetensors");
        CliAssert.FolderHolds(output);
    }

    // Root-independent refusals (issue 17): root ignores directory permission bits, so the unwritable output is
    // one that no user can create — a folder path through a regular file (ENOTDIR) and sysfs, which refuses to
    // create files for everyone (EACCES, UnauthorizedAccessException on the .NET side).
    [Test]
    public void Compress_OutputUnderARegularFile_ExitOneNothingLeft()
    {
        var plain = Path.Combine(_dir.Sub("under-file"), "plain");
        File.WriteAllText(plain, "not a folder");
        var r = AldsRunner.Run("compress", _model, "--keep", "0.5", "-o", Path.Combine(plain, "x.safetensors"));
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.ErrorAfterProgress(r, "x.safetensors");
        Assert.That(r.Err, Does.Not.Contain(".tmp"), "the message should name the output, not a temporary file");
        CliAssert.FolderHolds(Path.GetDirectoryName(plain)!, "plain");
        Assert.That(File.ReadAllText(plain), Is.EqualTo("not a folder"));
    }

    [Test]
    public void Compress_IntoSysfs_AccessDeniedEvenToRoot_ExitOneNothingLeft()
    {
        Assert.That(OperatingSystem.IsLinux() && Directory.Exists("/sys/kernel"), "sysfs is mounted on Linux");
        var output = "/sys/kernel/alds-test-x.safetensors";
        var r = AldsRunner.Run("compress", _model, "--keep", "0.5", "-o", output);
        Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
        CliAssert.ErrorAfterProgress(r, "alds-test-x.safetensors");
        Assert.That(r.Err, Does.Not.Contain(".tmp"), "the message should name the output, not a temporary file");
        Assert.That(Directory.GetFiles("/sys/kernel", "*alds-test-x*"), Is.Empty);
    }

    [TestCase("ro", "--keep", "0.5")]
    [TestCase("rw", "--keep", "0.9")]   // 64 KiB cannot hold the factors of the 147 KiB conv: disk full
    [TestCase("rw", "--keep", "1")]     // nothing compressed: the copy alone does not fit
    public void Compress_IntoSmallOrReadOnlyTmpfs_ExitOneNoPartialFile(string mode, string option, string value)
    {
        var mount = _dir.Sub("tmpfs");
        Mount(mount, mode == "ro" ? "size=64k,ro" : "size=64k");
        try
        {
            var output = Path.Combine(mount, "x.safetensors");
            var r = AldsRunner.Run("compress", _model, option, value, "-o", output);
            Assert.That(r.Code, Is.EqualTo(AldsApp.Failure), r.ToString());
            CliAssert.ErrorAfterProgress(r, "x.safetensors");
            Assert.That(r.Err, Does.Not.Contain(".tmp"), "the message should name the output, not a temporary file");
            CliAssert.FolderHolds(mount);
        }
        finally
        {
            Assert.That(Exec("/bin/umount", mount), Is.EqualTo(0), "umount");
        }
    }

    private static void Mount(string dir, string options)
    {
        Assume.That(Environment.IsPrivilegedProcess, Is.True, "mounting a tmpfs needs root");
        Assume.That(File.Exists("/bin/mount"), Is.True, "/bin/mount is missing");
        Assume.That(Exec("/bin/mount", "-t", "tmpfs", "-o", options, "tmpfs", dir), Is.EqualTo(0), "mount -t tmpfs is not permitted here");
    }

    private static int Exec(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
