using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// One activation of a grain: the grain instance, its mailbox and its lifecycle. It is also the grain's
/// <see cref="IGrainContext"/>.
/// </summary>
/// <remarks>
/// <para>
/// Turns: <see cref="_state"/> is Idle, Running or Deactivated. Whoever moves it from Idle to Running
/// (a compare-exchange: no lock) holds the claim and is the only one to run turns, dequeue, activate or
/// deactivate, until it lets go. A turn that goes asynchronous keeps the claim until it ends.
/// </para>
/// <para>
/// Fast path: a caller that finds the mailbox empty and takes the claim runs its turn inline on its own
/// thread; when the turn completes synchronously it gets the grain's own <see cref="ValueTask"/> back,
/// and nothing is allocated. Otherwise the call becomes a <see cref="QueuedCall{TGrain, TArg, TResult}"/>
/// in a lock-free queue.
/// </para>
/// <para>
/// No lost wake-up: a caller enqueues and then tries to take the claim; the claim holder lets go and then
/// looks at the queue again and tries to take the claim back (<see cref="TryRelease"/>). Each side writes
/// before it reads, with full fences (interlocked operations), so at least one of them sees the other:
/// either the caller takes the claim and runs the queue, or the holder sees the new item.
/// </para>
/// <para>
/// Fairness: whoever holds the claim runs queued turns back to back, at most <see cref="MaxTurnsPerRun"/>
/// of them, then hands the rest to the thread pool, claim included. Callers' continuations never run
/// inside the mailbox (they go to the thread pool).
/// </para>
/// <para>
/// Deactivation (<see cref="DeactivateOnIdle"/>, a failed activation, runtime disposal) happens with the
/// claim held, after the current turn. Then the state becomes Deactivated for good and the queued calls
/// move, in order, to a successor activation that is published in the directory only once they are in
/// it, so a caller's later call cannot overtake its earlier one. A call that lands here after that is
/// moved by its own caller (<see cref="ForwardQueued"/>): none is lost or left hanging.
/// </para>
/// <para>
/// Turns run in whatever ExecutionContext the thread running them has: the caller's on the fast path,
/// not on the queued path. Do not rely on AsyncLocal values flowing from a caller into a grain.
/// </para>
/// </remarks>
internal sealed class Activation<TGrain> : IActivationContext, IThreadPoolWorkItem where TGrain : Grain
{
    /// <summary>Queued turns one thread runs back to back before it hands the mailbox to the thread pool.</summary>
    internal const int MaxTurnsPerRun = 16;

    private const int Idle = 0;
    private const int Running = 1;
    private const int Deactivated = 2;

    private readonly GrainType<TGrain> _type;

    // Also the lock of the rare paths: forwarding after deactivation, the timer list.
    private readonly ConcurrentQueue<ActivationWorkItem<TGrain>> _queue = new();
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;
    private volatile bool _deactivationRequested;

    // Touched only by the claim holder.
    private TGrain? _grain;
    private bool _activated;
    private bool _constructing;
    private List<IActivationState>? _states;

    // Guarded by _queue.
    private List<ActivationTimer<TGrain>>? _timers;
    private bool _timersStopped;
    private bool _queueForwarded;

    public Activation(GrainType<TGrain> type, string key)
    {
        _type = type;
        GrainKey = key;
    }

    public string GrainKey { get; }

    public IGrainFactory GrainFactory => _type.Runtime;

    public GrainRuntime Runtime => _type.Runtime;

    /// <summary>True once it has deactivated: calls must go to the directory's current activation.</summary>
    public bool IsDeactivated => Volatile.Read(ref _state) == Deactivated;

    public ValueTask<TResult> InvokeAsync<TArg, TResult>(Func<TGrain, TArg, ValueTask<TResult>> turn, TArg arg)
    {
        if (TryClaimIdle())
        {
            if (_activated && !_deactivationRequested)
            {
                ValueTask<TResult> pending;
                try
                {
                    pending = turn(_grain!, arg);
                }
                catch (Exception exception)
                {
                    EndInlineTurn();
                    return ValueTask.FromException<TResult>(exception);
                }

                if (pending.IsCompleted)
                {
                    EndInlineTurn();
                    return pending;
                }

                return AwaitInlineTurnAsync(pending);
            }

            // Claimed, but the grain must be activated (or deactivated) first: queue behind that.
            var first = new QueuedCall<TGrain, TArg, TResult>(turn, arg);
            _queue.Enqueue(first);
            RunQueued();
            return first.Task;
        }

        var call = new QueuedCall<TGrain, TArg, TResult>(turn, arg);
        Post(call, runInline: true);
        return call.Task;
    }

    public ValueTask InvokeAsync<TArg>(Func<TGrain, TArg, ValueTask> turn, TArg arg)
    {
        if (TryClaimIdle())
        {
            if (_activated && !_deactivationRequested)
            {
                ValueTask pending;
                try
                {
                    pending = turn(_grain!, arg);
                }
                catch (Exception exception)
                {
                    EndInlineTurn();
                    return ValueTask.FromException(exception);
                }

                if (pending.IsCompleted)
                {
                    EndInlineTurn();
                    return pending;
                }

                return AwaitInlineTurnAsync(pending);
            }

            var first = new QueuedCall<TGrain, TArg>(turn, arg);
            _queue.Enqueue(first);
            RunQueued();
            return first.Task;
        }

        var call = new QueuedCall<TGrain, TArg>(turn, arg);
        Post(call, runInline: true);
        return call.Task;
    }

    /// <summary>
    /// Put a work item in the mailbox. When that leaves the activation idle-and-claimable, run the queue
    /// here (<paramref name="runInline"/>) or on the thread pool.
    /// </summary>
    public void Post(ActivationWorkItem<TGrain> item, bool runInline)
    {
        _queue.Enqueue(item);
        switch (Interlocked.CompareExchange(ref _state, Running, Idle))
        {
            case Idle when runInline:
                RunQueued();
                break;
            case Idle:
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                break;
            case Deactivated:
                ForwardQueued();
                break;
            default:
                // Running: the claim holder looks at the queue again before it lets go.
                break;
        }
    }

    /// <summary>A queued turn that went asynchronous has ended; its item still holds the claim for us.</summary>
    public void ContinueAfterTurn() => RunQueued();

    void IThreadPoolWorkItem.Execute() => RunQueued();

    public void DeactivateOnIdle() => RequestDeactivation();

    /// <summary>Deactivate after the current turn; the task completes once it has (and it has left the directory).</summary>
    public Task RequestDeactivation()
    {
        _deactivationRequested = true;

        // When idle nobody would look at the request before the next call: take the claim and act now.
        if (Interlocked.CompareExchange(ref _state, Running, Idle) == Idle)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        return _deactivated.Task;
    }

    public IDisposable RegisterTimer(Func<ValueTask> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_queue)
        {
            if (_timersStopped)
            {
                // Registered from a turn still running as the activation goes away: it never ticks.
                var stopped = new ActivationTimer<TGrain>(this, callback, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                stopped.Stop();
                return stopped;
            }

            var timer = new ActivationTimer<TGrain>(this, callback, dueTime, period);
            (_timers ??= []).Add(timer);
            return timer;
        }
    }

    public void OnTimerDisposed(ActivationTimer<TGrain> timer)
    {
        lock (_queue)
        {
            _timers?.Remove(timer);
        }
    }

    public void AddState(IActivationState state)
    {
        if (!_constructing)
        {
            throw new InvalidOperationException("Persistent state must be created while the grain is constructed, so it can be read before activation.");
        }

        (_states ??= []).Add(state);
    }

    public void LogTimerCallbackFailed(Exception exception) =>
        GrainRuntimeLog.TimerCallbackFailed(_type.Runtime.Logger, typeof(TGrain).Name, GrainKey, exception);

    // An empty mailbox is checked first, so a fast-path caller never overtakes a queued call.
    private bool TryClaimIdle() => _queue.IsEmpty && Interlocked.CompareExchange(ref _state, Running, Idle) == Idle;

    /// <summary>
    /// Let go of the claim. False when work (or a deactivation request) arrived meanwhile and we took the
    /// claim back: the caller must then run the queue.
    /// </summary>
    private bool TryRelease()
    {
        Interlocked.Exchange(ref _state, Idle);
        if (_queue.IsEmpty && !_deactivationRequested)
        {
            return true;
        }

        return Interlocked.CompareExchange(ref _state, Running, Idle) != Idle;
    }

    private void EndInlineTurn()
    {
        if (!TryRelease())
        {
            RunQueued();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> AwaitInlineTurnAsync<TResult>(ValueTask<TResult> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            EndInlineTurn();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitInlineTurnAsync(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        finally
        {
            EndInlineTurn();
        }
    }

    /// <summary>
    /// Run the mailbox with the claim held, until it is empty (the claim is let go), a turn goes
    /// asynchronous (its end resumes here), the activation deactivates, or the budget is spent (the thread
    /// pool resumes here). Never throws.
    /// </summary>
    private void RunQueued()
    {
        var budget = MaxTurnsPerRun;
        while (true)
        {
            if (_deactivationRequested)
            {
                Deactivate();
                return;
            }

            if (_queue.IsEmpty)
            {
                if (TryRelease())
                {
                    return;
                }

                continue;
            }

            if (budget-- == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                return;
            }

            if (!_queue.TryDequeue(out var item))
            {
                continue;
            }

            if (!_activated && !TryActivate(item))
            {
                return;
            }

            if (!item.Run(this, _grain!))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Activate before <paramref name="first"/> runs. True when active now; false when activation goes on
    /// asynchronously (it then runs <paramref name="first"/> and the queue) or failed (<paramref name="first"/>
    /// gets the exception and the activation is discarded).
    /// </summary>
    private bool TryActivate(ActivationWorkItem<TGrain> first)
    {
        var activating = ActivateAsync();
        if (!activating.IsCompleted)
        {
            _ = RunAfterActivationAsync(activating, first);
            return false;
        }

        try
        {
            activating.GetAwaiter().GetResult();
            return true;
        }
        catch (Exception exception)
        {
            FailActivation(first, exception);
            return false;
        }
    }

    private async ValueTask ActivateAsync()
    {
        ObjectDisposedException.ThrowIf(_type.Runtime.IsDisposed, _type.Runtime);
        _constructing = true;
        TGrain grain;
        try
        {
            grain = _type.Create(this);
        }
        finally
        {
            _constructing = false;
        }

        _grain = grain;
        if (_states is not null)
        {
            foreach (var state in _states)
            {
                await state.ReadStateAsync().ConfigureAwait(false);
            }
        }

        await grain.OnActivateAsync(CancellationToken.None).ConfigureAwait(false);
        _activated = true;
    }

    private async Task RunAfterActivationAsync(ValueTask activating, ActivationWorkItem<TGrain> first)
    {
        try
        {
            await activating.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            FailActivation(first, exception);
            return;
        }

        if (first.Run(this, _grain!))
        {
            RunQueued();
        }
    }

    private void FailActivation(ActivationWorkItem<TGrain> first, Exception exception)
    {
        if (exception is not ObjectDisposedException)
        {
            GrainRuntimeLog.ActivationFailed(_type.Runtime.Logger, typeof(TGrain).Name, GrainKey, exception);
        }

        first.Fail(exception);
        Finish();
    }

    /// <summary>With the claim held: stop the timers, run OnDeactivateAsync if the grain was activated, finish.</summary>
    private void Deactivate()
    {
        StopTimers();
        if (!_activated)
        {
            Finish();
            return;
        }

        ValueTask deactivating;
        try
        {
            deactivating = _grain!.OnDeactivateAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            GrainRuntimeLog.DeactivationFailed(_type.Runtime.Logger, typeof(TGrain).Name, GrainKey, exception);
            Finish();
            return;
        }

        if (!deactivating.IsCompleted)
        {
            _ = FinishAfterDeactivationAsync(deactivating);
            return;
        }

        try
        {
            deactivating.GetAwaiter().GetResult();
        }
        catch (Exception exception)
        {
            GrainRuntimeLog.DeactivationFailed(_type.Runtime.Logger, typeof(TGrain).Name, GrainKey, exception);
        }

        Finish();
    }

    private async Task FinishAfterDeactivationAsync(ValueTask deactivating)
    {
        try
        {
            await deactivating.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            GrainRuntimeLog.DeactivationFailed(_type.Runtime.Logger, typeof(TGrain).Name, GrainKey, exception);
        }

        Finish();
    }

    /// <summary>With the claim held: become Deactivated for good, hand the queued calls on, leave the directory.</summary>
    private void Finish()
    {
        StopTimers();
        _activated = false;
        _grain = null;
        _states = null;
        Interlocked.Exchange(ref _state, Deactivated);
        ForwardQueued();
        _deactivated.TrySetResult();
    }

    /// <summary>
    /// Move what is queued here to the next activation; called once the state is Deactivated, by the
    /// deactivation and by every caller whose item landed here afterwards. The first pass fills a
    /// successor nobody can reach yet and only then publishes it (or removes this activation from the
    /// directory when nothing was queued); later passes route each call through the directory. The lock
    /// keeps one caller's calls in order; turns never run under it.
    /// </summary>
    private void ForwardQueued()
    {
        Activation<TGrain>? successor = null;
        lock (_queue)
        {
            if (!_queueForwarded)
            {
                _queueForwarded = true;
                while (_queue.TryDequeue(out var item))
                {
                    if (!item.IsCall)
                    {
                        item.Fail(new ObjectDisposedException(nameof(ActivationTimer<TGrain>)));
                    }
                    else if (_type.Runtime.IsDisposed)
                    {
                        item.Fail(new ObjectDisposedException(nameof(GrainRuntime)));
                    }
                    else
                    {
                        successor ??= new Activation<TGrain>(_type, GrainKey);
                        successor._queue.Enqueue(item);
                    }
                }

                _type.Replace(this, successor);
            }
            else
            {
                while (_queue.TryDequeue(out var item))
                {
                    if (item.IsCall)
                    {
                        _type.Route(GrainKey, item);
                    }
                    else
                    {
                        item.Fail(new ObjectDisposedException(nameof(ActivationTimer<TGrain>)));
                    }
                }
            }
        }

        if (successor is not null && Interlocked.CompareExchange(ref successor._state, Running, Idle) == Idle)
        {
            ThreadPool.UnsafeQueueUserWorkItem(successor, preferLocal: false);
        }
    }

    private void StopTimers()
    {
        ActivationTimer<TGrain>[]? timers;
        lock (_queue)
        {
            _timersStopped = true;
            timers = _timers?.ToArray();
            _timers = null;
        }

        if (timers is not null)
        {
            foreach (var timer in timers)
            {
                timer.Stop();
            }
        }
    }
}
