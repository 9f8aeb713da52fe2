using System.Collections.Concurrent;

namespace Alds.Engine.Runtime;

/// <summary>
/// Process-wide registry of temporary output files, so that an interrupted run (Ctrl-C, SIGTERM) can remove
/// them before exiting: no partial file is ever left behind.
/// </summary>
public static class TemporaryFiles
{
    private static readonly ConcurrentDictionary<string, byte> Live = new(StringComparer.Ordinal);

    /// <summary>A fresh hidden sibling of <paramref name="target"/>, registered until disposed.</summary>
    internal static Registration CreateSibling(string target)
    {
        var full = Path.GetFullPath(target);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Live[temp] = 0;
        Created?.Invoke(full);
        return new Registration(temp);
    }

    /// <summary>
    /// Raised with the target's full path when a temporary is registered, before anything is written to it. The
    /// CLI's test-only stage events (ALDS_TEST_STAGE_EVENTS) use it to tell an interruption test which stage began.
    /// </summary>
    public static event Action<string>? Created;

    /// <summary>
    /// Writes small files all-or-nothing: every one goes to a temporary sibling first, and the renames come only
    /// when all are written; on failure no target is touched and no temporary is left.
    /// </summary>
    public static void WriteAllAtomically(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        var temps = new List<Registration>(files.Count);
        try
        {
            foreach (var (path, bytes) in files)
            {
                var temp = CreateSibling(path);
                temps.Add(temp);
                File.WriteAllBytes(temp.Path, bytes);
            }
            for (int i = 0; i < files.Count; i++) temps[i].CommitTo(files[i].Path);
        }
        finally
        {
            foreach (var t in temps) t.Dispose();
        }
    }

    /// <summary>Writes one small file all-or-nothing (see <see cref="WriteAllAtomically"/>).</summary>
    public static void WriteAtomically(string path, byte[] bytes) => WriteAllAtomically([(path, bytes)]);

    /// <summary>Deletes every registered file that still exists (called on interruption).</summary>
    public static void DeleteAll()
    {
        foreach (var path in Live.Keys) TryDelete(path);
        Live.Clear();
    }

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A registered temporary path; disposing deletes the file unless it was committed.</summary>
    internal sealed class Registration(string path) : IDisposable
    {
        private bool _committed;
        public string Path { get; } = path;

        /// <summary>Atomically renames the temporary file over <paramref name="target"/>.</summary>
        public void CommitTo(string target)
        {
            File.Move(Path, target, overwrite: true);
            _committed = true;
            Live.TryRemove(Path, out _);
        }

        public void Dispose()
        {
            if (!_committed) TryDelete(Path);
            Live.TryRemove(Path, out _);
        }
    }
}
