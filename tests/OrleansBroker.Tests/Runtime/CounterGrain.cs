using System.Collections.Concurrent;
using OrleansBroker.Grains.Runtime;
using OrleansBroker.Silo.Runtime;

namespace OrleansBroker.Tests.Runtime;

internal enum FailureMode
{
    None,

    /// <summary>The grain method throws before it returns a ValueTask.</summary>
    ThrowDirectly,

    /// <summary>The grain method returns an already faulted ValueTask.</summary>
    FaultSynchronously,

    /// <summary>The grain method faults after an await.</summary>
    FaultAfterYield,
}

internal interface ICounterGrain : IGrainWithStringKey
{
    ValueTask<long> Add(long amount, bool yield);

    ValueTask<long> Get();

    /// <summary>Not an async method: Debug builds allocate a state machine for every async call, even a synchronous one.</summary>
    ValueTask<long> Increment();

    ValueTask<int> Echo(int value, FailureMode failure);

    ValueTask Append(int caller, int sequence, bool yield);

    ValueTask<int> CurrentThreadId();

    /// <summary>Call <see cref="Chain"/> on itself without awaiting it, until the probe says stop.</summary>
    ValueTask Chain();
}

internal sealed class CounterProbe
{
    public TurnProbe Turns { get; } = new();

    public ConcurrentQueue<(int Caller, int Sequence)> Log { get; } = new();

    public volatile bool StopChain;

    public int ChainLinks;
}

/// <summary>A grain whose state is updated non-atomically across awaits: overlapping turns would lose updates.</summary>
internal sealed class CounterGrain(IGrainContext context, CounterProbe probe) : Grain(context), ICounterGrain
{
    private long _count;

    public static void Register(GrainRuntime runtime, CounterProbe probe) =>
        runtime.Register<ICounterGrain, CounterGrain>(context => new CounterGrain(context, probe), grain => new CounterGrainProxy(grain));

    public async ValueTask<long> Add(long amount, bool yield)
    {
        probe.Turns.Enter();
        try
        {
            var count = _count;
            if (yield)
            {
                await Task.Yield();
            }

            _count = count + amount;
            return _count;
        }
        finally
        {
            probe.Turns.Exit();
        }
    }

    public ValueTask<long> Get() => new(_count);

    public ValueTask<long> Increment() => new(++_count);

    public ValueTask<int> Echo(int value, FailureMode failure) => failure switch
    {
        FailureMode.ThrowDirectly => throw new InvalidOperationException($"direct {value}"),
        FailureMode.FaultSynchronously => FaultAsync(value, yield: false),
        FailureMode.FaultAfterYield => FaultAsync(value, yield: true),
        _ => new ValueTask<int>(value),
    };

    public async ValueTask Append(int caller, int sequence, bool yield)
    {
        probe.Turns.Enter();
        try
        {
            if (yield)
            {
                await Task.Yield();
            }

            probe.Log.Enqueue((caller, sequence));
        }
        finally
        {
            probe.Turns.Exit();
        }
    }

    public ValueTask<int> CurrentThreadId() => new(Environment.CurrentManagedThreadId);

    public ValueTask Chain()
    {
        if (!probe.StopChain)
        {
            Interlocked.Increment(ref probe.ChainLinks);
            _ = GrainFactory.GetGrain<ICounterGrain>(GrainKey).Chain();
        }

        return ValueTask.CompletedTask;
    }

    private static async ValueTask<int> FaultAsync(int value, bool yield)
    {
        if (yield)
        {
            await Task.Yield();
        }

        throw new InvalidOperationException($"fault {value}");
    }
}

internal sealed class CounterGrainProxy(GrainReference<CounterGrain> grain) : ICounterGrain
{
    public ValueTask<long> Add(long amount, bool yield) =>
        grain.InvokeAsync(static (g, a) => g.Add(a.amount, a.yield), (amount, yield));

    public ValueTask<long> Get() => grain.InvokeAsync(static (g, _) => g.Get(), 0);

    public ValueTask<long> Increment() => grain.InvokeAsync(static (g, _) => g.Increment(), 0);

    public ValueTask<int> Echo(int value, FailureMode failure) =>
        grain.InvokeAsync(static (g, a) => g.Echo(a.value, a.failure), (value, failure));

    public ValueTask Append(int caller, int sequence, bool yield) =>
        grain.InvokeAsync(static (g, a) => g.Append(a.caller, a.sequence, a.yield), (caller, sequence, yield));

    public ValueTask<int> CurrentThreadId() => grain.InvokeAsync(static (g, _) => g.CurrentThreadId(), 0);

    public ValueTask Chain() => grain.InvokeAsync(static (g, _) => g.Chain(), 0);
}
