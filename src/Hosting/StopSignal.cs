using System.Runtime.InteropServices;

namespace OrleansBroker.Hosting;

/// <summary>
/// Ctrl+C or SIGTERM, the two ways a node is asked to stop. Listened for from construction, so a signal that comes
/// while the node is still starting stops it once it has started.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration _sigterm;

    public StopSignal()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            _stopped.TrySetResult();
        });
    }

    public Task WaitAsync() => _stopped.Task;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _stopped.TrySetResult();
    }
}
