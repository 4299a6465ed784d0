using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// The address of one grain (type and key). Proxies implement a grain interface by turning each
/// method into <see cref="InvokeAsync{TArg}"/>: the call runs as one turn of the activation,
/// activating it first if needed. Pass static lambdas and put arguments in <c>arg</c> so the
/// common path allocates nothing.
/// </summary>
public sealed class GrainReference<TGrain> where TGrain : Grain
{
    public string Key => throw new NotImplementedException();

    public ValueTask InvokeAsync<TArg>(Func<TGrain, TArg, ValueTask> turn, TArg arg) => throw new NotImplementedException();

    public ValueTask<TResult> InvokeAsync<TArg, TResult>(Func<TGrain, TArg, ValueTask<TResult>> turn, TArg arg) => throw new NotImplementedException();
}
