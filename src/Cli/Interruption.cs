using System.Runtime.InteropServices;
using Alds.Engine.Runtime;

namespace Alds.Cli;

/// <summary>
/// Ctrl-C and SIGTERM: cancel the running command; if it has not stopped within 900 ms, delete the
/// temporary files and exit anyway (130), so a stop never takes more than a second and leaves nothing.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Interruption(TextWriter error)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                if (_cancel.IsCancellationRequested) return;
                _cancel.Cancel();
                var timer = new Thread(() =>
                {
                    Thread.Sleep(900);
                    TemporaryFiles.DeleteAll();
                    error.WriteLine("alds: interrupted");
                    error.Flush();
                    Environment.Exit(130);
                }) { IsBackground = true };
                timer.Start();
            }));
    }

    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }
}
