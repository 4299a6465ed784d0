using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// A call that found its activation busy (or not active yet): it waits in the mailbox and its caller
/// awaits it. One allocation per queued call; the caller's continuation always goes to the thread pool,
/// because whoever completes the call is running the activation's mailbox and must not run callers' code in it.
/// </summary>
internal sealed class QueuedCall<TGrain, TArg, TResult> : ActivationWorkItem<TGrain>, IValueTaskSource<TResult> where TGrain : Grain
{
    private readonly Func<TGrain, TArg, ValueTask<TResult>> _turn;
    private readonly TArg _arg;
    private ManualResetValueTaskSourceCore<TResult> _completion = new() { RunContinuationsAsynchronously = true };
    private ConfiguredValueTaskAwaitable<TResult>.ConfiguredValueTaskAwaiter _pendingTurn;
    private Activation<TGrain>? _activation;

    public QueuedCall(Func<TGrain, TArg, ValueTask<TResult>> turn, TArg arg)
    {
        _turn = turn;
        _arg = arg;
    }

    public ValueTask<TResult> Task => new(this, _completion.Version);

    public override bool IsCall => true;

    public override bool Run(Activation<TGrain> activation, TGrain grain)
    {
        ValueTask<TResult> turn;
        try
        {
            turn = _turn(grain, _arg);
        }
        catch (Exception exception)
        {
            _completion.SetException(exception);
            return true;
        }

        var awaiter = turn.ConfigureAwait(false).GetAwaiter();
        if (awaiter.IsCompleted)
        {
            Complete(awaiter);
            return true;
        }

        _activation = activation;
        _pendingTurn = awaiter;
        awaiter.UnsafeOnCompleted(OnTurnCompleted);
        return false;
    }

    public override void Fail(Exception exception) => _completion.SetException(exception);

    private void OnTurnCompleted()
    {
        var activation = _activation!;
        Complete(_pendingTurn);
        _pendingTurn = default;
        _activation = null;
        activation.ContinueAfterTurn();
    }

    private void Complete(ConfiguredValueTaskAwaitable<TResult>.ConfiguredValueTaskAwaiter turn)
    {
        TResult result;
        try
        {
            result = turn.GetResult();
        }
        catch (Exception exception)
        {
            _completion.SetException(exception);
            return;
        }

        _completion.SetResult(result);
    }

    TResult IValueTaskSource<TResult>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<TResult>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<TResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}

/// <summary>A queued call whose turn returns no result; see <see cref="QueuedCall{TGrain, TArg, TResult}"/>.</summary>
internal sealed class QueuedCall<TGrain, TArg> : ActivationWorkItem<TGrain>, IValueTaskSource where TGrain : Grain
{
    private readonly Func<TGrain, TArg, ValueTask> _turn;
    private readonly TArg _arg;
    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = true };
    private ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter _pendingTurn;
    private Activation<TGrain>? _activation;

    public QueuedCall(Func<TGrain, TArg, ValueTask> turn, TArg arg)
    {
        _turn = turn;
        _arg = arg;
    }

    public ValueTask Task => new(this, _completion.Version);

    public override bool IsCall => true;

    public override bool Run(Activation<TGrain> activation, TGrain grain)
    {
        ValueTask turn;
        try
        {
            turn = _turn(grain, _arg);
        }
        catch (Exception exception)
        {
            _completion.SetException(exception);
            return true;
        }

        var awaiter = turn.ConfigureAwait(false).GetAwaiter();
        if (awaiter.IsCompleted)
        {
            Complete(awaiter);
            return true;
        }

        _activation = activation;
        _pendingTurn = awaiter;
        awaiter.UnsafeOnCompleted(OnTurnCompleted);
        return false;
    }

    public override void Fail(Exception exception) => _completion.SetException(exception);

    private void OnTurnCompleted()
    {
        var activation = _activation!;
        Complete(_pendingTurn);
        _pendingTurn = default;
        _activation = null;
        activation.ContinueAfterTurn();
    }

    private void Complete(ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter turn)
    {
        try
        {
            turn.GetResult();
        }
        catch (Exception exception)
        {
            _completion.SetException(exception);
            return;
        }

        _completion.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
