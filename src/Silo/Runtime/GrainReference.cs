using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// The address of one grain (type and key). Proxies implement a grain interface by turning each
/// method into <see cref="InvokeAsync{TArg}"/>: the call runs as one turn of the activation,
/// activating it first if needed. Pass static lambdas and put arguments in <c>arg</c> so the
/// common path allocates nothing.
/// </summary>
/// <remarks>
/// When the activation is idle the turn runs inline on the caller's thread, and a turn that completes
/// synchronously hands back a completed <see cref="ValueTask"/> without allocating. Otherwise the call
/// waits in the activation's mailbox. Exceptions from the turn go to this caller only. After the runtime
/// is disposed, calls throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class GrainReference<TGrain> where TGrain : Grain
{
    private readonly GrainType<TGrain> _type;

    // The activation this reference last called: saves a directory lookup per call while it lives.
    private Activation<TGrain>? _activation;

    internal GrainReference(GrainType<TGrain> type, string key)
    {
        _type = type;
        Key = key;
    }

    public string Key { get; }

    public ValueTask InvokeAsync<TArg>(Func<TGrain, TArg, ValueTask> turn, TArg arg) => CurrentActivation().InvokeAsync(turn, arg);

    public ValueTask<TResult> InvokeAsync<TArg, TResult>(Func<TGrain, TArg, ValueTask<TResult>> turn, TArg arg) =>
        CurrentActivation().InvokeAsync(turn, arg);

    private Activation<TGrain> CurrentActivation()
    {
        var activation = Volatile.Read(ref _activation);
        if (activation is null || activation.IsDeactivated)
        {
            activation = _type.GetOrCreateActivation(Key);
            Volatile.Write(ref _activation, activation);
        }

        return activation;
    }
}
