using System.Reflection;
using System.Runtime.InteropServices;

namespace Alds.Interop;

/// <summary>
/// Finds the CUDA libraries (CUDA 13 first, then 12) for the <c>LibraryImport</c>s of this
/// assembly: the loader's default search path, the toolkit folders, <c>$CUDA_PATH</c>,
/// <c>LD_LIBRARY_PATH</c> and the layout of NVIDIA's Python wheels (what PyTorch installs).
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Logical names used by the bindings.</summary>
    internal const string Cudart = "cudart", Cublas = "cublas", Cusolver = "cusolver", Nvrtc = "nvrtc", Driver = "cuda";

    private static readonly Dictionary<string, string[]> Sonames = new()
    {
        [Cudart] = ["libcudart.so.13", "libcudart.so.12"],
        [Cublas] = ["libcublas.so.13", "libcublas.so.12"],
        // cuSOLVER's soname lags the toolkit by one: CUDA 13 ships .so.12, CUDA 12 ships .so.11.
        [Cusolver] = ["libcusolver.so.12", "libcusolver.so.11"],
        [Nvrtc] = ["libnvrtc.so.13", "libnvrtc.so.12"],
        [Driver] = ["libcuda.so.1"],
    };

    // Folder of each library inside <site-packages>/nvidia/ (CUDA 12 wheels: one package per
    // library; CUDA 13 wheels: everything under cu13/).
    private static readonly Dictionary<string, string[]> WheelFolders = new()
    {
        [Cudart] = ["cu13", "cuda_runtime"],
        [Cublas] = ["cu13", "cublas"],
        [Cusolver] = ["cu13", "cusolver"],
        [Nvrtc] = ["cu13", "cuda_nvrtc"],
        [Driver] = [],
    };

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, nint> Loaded = [];
    private static bool registered;

    /// <summary>Installs the resolver once; later calls do nothing.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (registered) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
            registered = true;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!Sonames.ContainsKey(libraryName)) return 0;
        lock (Gate)
        {
            if (Loaded.TryGetValue(libraryName, out var cached)) return cached;
            var tried = new List<string>();
            foreach (var candidate in Candidates(libraryName))
            {
                tried.Add(candidate);
                if (NativeLibrary.TryLoad(candidate, out var handle))
                {
                    Loaded[libraryName] = handle;
                    return handle;
                }
            }
            throw new DllNotFoundException(
                $"CUDA library '{libraryName}' not found; tried: {string.Join(", ", tried)}");
        }
    }

    /// <summary>
    /// Looks up <paramref name="symbol"/> in the library behind logical name <paramref name="libraryName"/>,
    /// loading it through the resolver; false when the library or the symbol is missing.
    /// </summary>
    internal static bool TryGetExport(string libraryName, string symbol, out nint address)
    {
        address = 0;
        Register();
        try
        {
            var handle = Resolve(libraryName, typeof(NativeLibraries).Assembly, null);
            return handle != 0 && NativeLibrary.TryGetExport(handle, symbol, out address);
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every file name or path tried for <paramref name="libraryName"/> (cudart, cublas, cusolver,
    /// nvrtc, cuda), in order: bare sonames (default search path) first, then each folder.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string libraryName)
    {
        if (!Sonames.TryGetValue(libraryName, out var sonames))
            throw new ArgumentException($"unknown CUDA library '{libraryName}'", nameof(libraryName));
        var result = new List<string>(sonames);
        foreach (var dir in SearchDirectories(WheelFolders[libraryName]))
            foreach (var soname in sonames)
                result.Add(Path.Combine(dir, soname));
        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Folders searched after the default path, for a library living in the given wheel folders.</summary>
    internal static IEnumerable<string> SearchDirectories(IReadOnlyList<string> wheelFolders)
    {
        yield return "/usr/local/cuda/lib64";
        yield return "/usr/local/cuda/targets/x86_64-linux/lib";
        var cudaPath = Environment.GetEnvironmentVariable("CUDA_PATH");
        if (!string.IsNullOrEmpty(cudaPath))
        {
            yield return Path.Combine(cudaPath, "lib64");
            yield return Path.Combine(cudaPath, "targets", "x86_64-linux", "lib");
        }
        var ldPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (!string.IsNullOrEmpty(ldPath))
            foreach (var dir in ldPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
                yield return dir;
        yield return "/usr/lib/x86_64-linux-gnu";
        yield return "/usr/lib64";
        yield return "/usr/local/nvidia/lib64"; // driver mount in NVIDIA containers
        yield return "/usr/local/nvidia/lib";
        foreach (var sitePackages in PythonSitePackages())
            foreach (var folder in wheelFolders)
                yield return Path.Combine(sitePackages, "nvidia", folder, "lib");
    }

    /// <summary>Python package folders where NVIDIA's CUDA wheels may be installed.</summary>
    internal static IEnumerable<string> PythonSitePackages()
    {
        var roots = new List<(string dir, string[] leaves)>
        {
            ("/usr/lib", ["dist-packages", "site-packages"]),
            ("/usr/local/lib", ["dist-packages", "site-packages"]),
            ("/opt/conda/lib", ["site-packages"]),
        };
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) roots.Add((Path.Combine(home, ".local", "lib"), ["site-packages"]));
        var venv = Environment.GetEnvironmentVariable("VIRTUAL_ENV");
        if (!string.IsNullOrEmpty(venv)) roots.Add((Path.Combine(venv, "lib"), ["site-packages"]));

        foreach (var (dir, leaves) in roots)
        {
            string[] pythons;
            try { pythons = Directory.Exists(dir) ? Directory.GetDirectories(dir, "python3*") : []; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            Array.Sort(pythons, StringComparer.Ordinal);
            Array.Reverse(pythons); // newest Python first
            foreach (var python in pythons)
                foreach (var leaf in leaves)
                    yield return Path.Combine(python, leaf);
        }
    }
}
