using System.Runtime.CompilerServices;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// A grain timer. Each tick is queued in the activation's mailbox and runs as a turn, so it never runs
/// alongside a call. While a tick waits or runs, further ticks are skipped rather than queued: a slow
/// callback never piles up turns. A tick that has not started when the timer stops does not run, so once
/// <see cref="Dispose"/> returns inside a turn, the callback never runs again.
/// </summary>
internal sealed class ActivationTimer<TGrain> : ActivationWorkItem<TGrain>, IDisposable where TGrain : Grain
{
    private readonly Activation<TGrain> _activation;
    private readonly Func<ValueTask> _callback;
    private readonly Action _onCallbackCompleted;
    private readonly Timer _timer;
    private ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter _pendingCallback;
    private int _tickQueued;
    private volatile bool _stopped;

    public ActivationTimer(Activation<TGrain> activation, Func<ValueTask> callback, TimeSpan dueTime, TimeSpan period)
    {
        _activation = activation;
        _callback = callback;
        _onCallbackCompleted = OnCallbackCompleted;
        _timer = new Timer(static state => ((ActivationTimer<TGrain>)state!).OnTick(), this, dueTime, period);
    }

    public override bool IsCall => false;

    public override bool Run(Activation<TGrain> activation, TGrain grain)
    {
        if (_stopped)
        {
            Volatile.Write(ref _tickQueued, 0);
            return true;
        }

        ValueTask callback;
        try
        {
            callback = _callback();
        }
        catch (Exception exception)
        {
            _activation.LogTimerCallbackFailed(exception);
            Volatile.Write(ref _tickQueued, 0);
            return true;
        }

        var awaiter = callback.ConfigureAwait(false).GetAwaiter();
        if (awaiter.IsCompleted)
        {
            EndTick(awaiter);
            return true;
        }

        _pendingCallback = awaiter;
        awaiter.UnsafeOnCompleted(_onCallbackCompleted);
        return false;
    }

    public override void Fail(Exception exception) => Volatile.Write(ref _tickQueued, 0);

    /// <summary>Stop ticking; called by deactivation, which forgets the timer itself.</summary>
    public void Stop()
    {
        _stopped = true;
        _timer.Dispose();
    }

    public void Dispose()
    {
        Stop();
        _activation.OnTimerDisposed(this);
    }

    private void OnTick()
    {
        if (_stopped || Interlocked.Exchange(ref _tickQueued, 1) != 0)
        {
            return;
        }

        _activation.Post(this, runInline: true);
    }

    private void OnCallbackCompleted()
    {
        EndTick(_pendingCallback);
        _pendingCallback = default;
        _activation.ContinueAfterTurn();
    }

    private void EndTick(ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter callback)
    {
        try
        {
            callback.GetResult();
        }
        catch (Exception exception)
        {
            _activation.LogTimerCallbackFailed(exception);
        }

        Volatile.Write(ref _tickQueued, 0);
    }
}
