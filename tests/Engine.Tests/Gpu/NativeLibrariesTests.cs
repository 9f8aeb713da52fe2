using System.Runtime.InteropServices;
using Alds.Interop;

namespace Alds.Engine.Tests.Gpu;

[NonParallelizable] // changes process environment variables
public class NativeLibrariesTests
{
    [Test]
    public void Candidates_Cudart_TriesCuda13ThenCuda12SonamesFirst()
    {
        var c = NativeLibraries.Candidates("cudart");

        Assert.That(c.Take(2), Is.EqualTo(new[] { "libcudart.so.13", "libcudart.so.12" }));
        Assert.That(c, Has.Member("/usr/local/cuda/lib64/libcudart.so.13"));
        Assert.That(c, Has.Member("/usr/local/cuda/targets/x86_64-linux/lib/libcudart.so.12"));
    }

    [TestCase("cublas", "libcublas.so.13", "libcublas.so.12")]
    [TestCase("cusolver", "libcusolver.so.12", "libcusolver.so.11")]
    [TestCase("nvrtc", "libnvrtc.so.13", "libnvrtc.so.12")]
    public void Candidates_Library_ListsBothToolkitSonames(string library, string cuda13, string cuda12)
    {
        var c = NativeLibraries.Candidates(library);

        Assert.That(c.Take(2), Is.EqualTo(new[] { cuda13, cuda12 }));
    }

    [Test]
    public void Candidates_Driver_IsLibcudaSo1()
    {
        Assert.That(NativeLibraries.Candidates("cuda")[0], Is.EqualTo("libcuda.so.1"));
    }

    [Test]
    public void Candidates_PythonWheelsInVirtualEnv_ListsWheelLayoutForCuda13And12()
    {
        var venv = Directory.CreateTempSubdirectory("alds-venv-");
        var sitePackages = Directory.CreateDirectory(Path.Combine(venv.FullName, "lib", "python3.12", "site-packages")).FullName;
        var saved = Environment.GetEnvironmentVariable("VIRTUAL_ENV");
        try
        {
            Environment.SetEnvironmentVariable("VIRTUAL_ENV", venv.FullName);

            var cudart = NativeLibraries.Candidates("cudart");
            var cusolver = NativeLibraries.Candidates("cusolver");
            var nvrtc = NativeLibraries.Candidates("nvrtc");

            Assert.That(cudart, Has.Member(Path.Combine(sitePackages, "nvidia", "cu13", "lib", "libcudart.so.13")));
            Assert.That(cudart, Has.Member(Path.Combine(sitePackages, "nvidia", "cuda_runtime", "lib", "libcudart.so.12")));
            Assert.That(cusolver, Has.Member(Path.Combine(sitePackages, "nvidia", "cusolver", "lib", "libcusolver.so.11")));
            Assert.That(nvrtc, Has.Member(Path.Combine(sitePackages, "nvidia", "cuda_nvrtc", "lib", "libnvrtc.so.12")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("VIRTUAL_ENV", saved);
            venv.Delete(recursive: true);
        }
    }

    [Test]
    public void Candidates_CudaPathAndLdLibraryPath_AreSearched()
    {
        var savedCuda = Environment.GetEnvironmentVariable("CUDA_PATH");
        var savedLd = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        try
        {
            Environment.SetEnvironmentVariable("CUDA_PATH", "/opt/cuda-x");
            Environment.SetEnvironmentVariable("LD_LIBRARY_PATH", "/a/lib:/b/lib");

            var c = NativeLibraries.Candidates("cublas");

            Assert.That(c, Has.Member("/opt/cuda-x/lib64/libcublas.so.13"));
            Assert.That(c, Has.Member("/a/lib/libcublas.so.12"));
            Assert.That(c, Has.Member("/b/lib/libcublas.so.13"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CUDA_PATH", savedCuda);
            Environment.SetEnvironmentVariable("LD_LIBRARY_PATH", savedLd);
        }
    }

    [Test]
    public void Candidates_UnknownLibrary_Throws()
    {
        Assert.That(() => NativeLibraries.Candidates("cufft"), Throws.ArgumentException);
    }

    [Test]
    public void Resolve_NoCudaInstalled_ThrowsOneErrorListingWhatWasTried()
    {
        Assume.That(NativeLibraries.Candidates("cudart").Any(p => NativeLibrary.TryLoad(p, out _)), Is.False,
            "a CUDA runtime is installed here");

        var e = Assert.Throws<DllNotFoundException>(() => CudaRuntime.DeviceCount());

        Assert.That(e!.Message, Does.Contain("libcudart.so.13").And.Contain("libcudart.so.12").And.Contain("/usr/local/cuda/lib64"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }
}
