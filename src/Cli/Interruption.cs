using System.Runtime.InteropServices;
using Alds.Engine.Runtime;

namespace Alds.Cli;

/// <summary>
/// Ctrl-C and SIGTERM: cancel the running command, which then stops at its next check, removes its temporary files
/// and exits 128 + the signal number (130 for SIGINT, 143 for SIGTERM) after the line <c>alds: interrupted</c>.
/// If it has not stopped within 900 ms, a watchdog deletes the temporary files and exits anyway, with the same code
/// and a line of its own (<see cref="WatchdogLine"/>), so a stop never takes more than a second and leaves nothing.
/// </summary>
/// <remarks>
/// Test hooks (environment, read once; see tests/Engine.Tests/EndToEnd/InterruptionTests.cs):
/// <c>ALDS_TEST_WATCHDOG_MS</c> sets the watchdog's delay, so that a test can require the orderly path to win;
/// <c>ALDS_TEST_WATCHDOG_ONLY=1</c> makes a signal start the watchdog without cancelling, to test the watchdog itself;
/// <c>ALDS_TEST_STAGE_EVENTS=1</c> prints <c>alds-test-stage: STAGE</c> on stderr when a stage starts (see
/// <see cref="StageEvents"/>), and <c>ALDS_TEST_PAUSE_AT=PREFIX</c> holds the first stage whose event starts with
/// PREFIX until a signal arrives, so that a test interrupts that stage without guessing a delay.
/// </remarks>
public sealed class Interruption : IDisposable
{
    /// <summary>The watchdog's own line: the command did not stop by itself in time.</summary>
    public const string WatchdogLine = "alds: interrupted (forced: the command did not stop in time; temporary files removed)";

    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signal;

    public Interruption(TextWriter error)
    {
        int delay = int.TryParse(Environment.GetEnvironmentVariable("ALDS_TEST_WATCHDOG_MS"), out var ms) && ms >= 0 ? ms : 900;
        bool watchdogOnly = Environment.GetEnvironmentVariable("ALDS_TEST_WATCHDOG_ONLY") == "1";
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15) })
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                if (Interlocked.CompareExchange(ref _signal, number, 0) != 0) return;
                if (!watchdogOnly) _cancel.Cancel();
                var timer = new Thread(() =>
                {
                    Thread.Sleep(delay);
                    TemporaryFiles.DeleteAll();
                    error.WriteLine(WatchdogLine);
                    error.Flush();
                    Environment.Exit(128 + number);
                }) { IsBackground = true };
                timer.Start();
            }));
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The number of the first signal received (2 or 15), or null.</summary>
    public int? Signal => Volatile.Read(ref _signal) is var s && s != 0 ? s : null;

    /// <summary>The exit code of a run that <paramref name="code"/> ended: 128 + signal when a signal stopped it.</summary>
    public int ExitCode(int code) => code != AldsApp.Success && Signal is int s ? 128 + s : code;

    /// <summary>
    /// Wraps <paramref name="error"/> so that the stage events of <c>ALDS_TEST_STAGE_EVENTS=1</c> are written (and
    /// held by <c>ALDS_TEST_PAUSE_AT</c>); returns <paramref name="error"/> unchanged otherwise.
    /// </summary>
    public TextWriter WithStageEvents(TextWriter error) =>
        Environment.GetEnvironmentVariable("ALDS_TEST_STAGE_EVENTS") == "1"
            ? new StageEvents(error, Environment.GetEnvironmentVariable("ALDS_TEST_PAUSE_AT"), this)
            : error;

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }

    /// <summary>
    /// Test-only stage events on stderr: <c>analysis</c> and <c>factorise</c> at the first progress line of those
    /// stages, and <c>write NAME</c> / <c>cache NAME</c> / <c>factors NAME</c> when a temporary file is created for
    /// an output (model, shard, index, report), a cache entry or manifest, or the factor store. The paused stage
    /// waits for a signal and then simply continues: whatever stops the command is its own cancellation.
    /// </summary>
    private sealed class StageEvents : TextWriter
    {
        private readonly TextWriter _inner;
        private readonly string? _pauseAt;
        private readonly Interruption _owner;
        private readonly HashSet<string> _seen = [];
        private int _paused;

        public StageEvents(TextWriter inner, string? pauseAt, Interruption owner)
        {
            (_inner, _pauseAt, _owner) = (inner, pauseAt is { Length: > 0 } ? pauseAt : null, owner);
            TemporaryFiles.Created += target =>
            {
                var name = Path.GetFileName(target);
                var stage = name.EndsWith(".spectra", StringComparison.Ordinal) || name.EndsWith(".manifest", StringComparison.Ordinal) ? "cache"
                    : name.EndsWith(".factors", StringComparison.Ordinal) ? "factors" : "write";
                Reached($"{stage} {name}");
            };
        }

        public override System.Text.Encoding Encoding => _inner.Encoding;

        public override void WriteLine(string? value)
        {
            _inner.WriteLine(value);
            foreach (var stage in new[] { "analysis", "factorise" })
                if (value is not null && value.StartsWith(stage + " ", StringComparison.Ordinal)) Reached(stage, once: true);
        }

        public override void Write(char value) => _inner.Write(value);
        public override void Write(string? value) => _inner.Write(value);
        public override void Flush() => _inner.Flush();

        private void Reached(string stage, bool once = false)
        {
            lock (_seen)
            {
                if (once && !_seen.Add(stage)) return;
                _inner.WriteLine($"alds-test-stage: {stage}");
                _inner.Flush();
            }
            // Held until the signal's cancellation (never, under ALDS_TEST_WATCHDOG_ONLY: then the watchdog ends it).
            if (_pauseAt is not null && stage.StartsWith(_pauseAt, StringComparison.Ordinal) && Interlocked.Exchange(ref _paused, 1) == 0)
                _owner._cancel.Token.WaitHandle.WaitOne();
        }
    }
}
