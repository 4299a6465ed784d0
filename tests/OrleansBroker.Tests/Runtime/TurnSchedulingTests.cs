using OrleansBroker.Silo.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Tests.Runtime;

public sealed class TurnSchedulingTests
{
    private const int Threads = 8;
    private const int CallsPerThread = 10_000;

    [Fact]
    public async Task TurnsNeverOverlapUnderConcurrentCallersThatAwaitEachCall()
    {
        var probe = new CounterProbe();
        await using var runtime = CreateRuntime(probe);
        var counter = runtime.GetGrain<ICounterGrain>("shared");

        var callers = Enumerable.Range(0, Threads).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < CallsPerThread; i++)
            {
                await counter.Add(1, yield: (i + caller) % 8 == 0);
            }
        }));
        await Bounded.Wait(Task.WhenAll(callers));

        Assert.Equal(Threads * CallsPerThread, await counter.Get());
        Assert.Equal(0, probe.Turns.Overlaps);
    }

    [Fact]
    public async Task TurnsNeverOverlapAndNoCallIsLostWhenCallersDoNotWait()
    {
        var probe = new CounterProbe();
        await using var runtime = CreateRuntime(probe);
        var counter = runtime.GetGrain<ICounterGrain>("burst");

        var callers = Enumerable.Range(0, Threads).Select(caller => Task.Run(() =>
        {
            var calls = new Task<long>[CallsPerThread];
            for (var i = 0; i < CallsPerThread; i++)
            {
                calls[i] = counter.Add(1, yield: (i + caller) % 8 == 0).AsTask();
            }

            return Task.WhenAll(calls);
        }));
        var results = await Bounded.Wait(Task.WhenAll(callers));

        Assert.Equal(Threads * CallsPerThread, await counter.Get());
        Assert.Equal(0, probe.Turns.Overlaps);

        // Every turn saw a different count: each call ran exactly once.
        Assert.Equal(Threads * CallsPerThread, results.SelectMany(r => r).Distinct().Count());
    }

    [Fact]
    public async Task CallsFromOneCallerRunInTheOrderTheyWereMade()
    {
        const int Callers = 4;
        const int CallsPerCaller = 2_000;
        var probe = new CounterProbe();
        await using var runtime = CreateRuntime(probe);
        var counter = runtime.GetGrain<ICounterGrain>("ordered");

        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(() =>
        {
            var calls = new Task[CallsPerCaller];
            for (var i = 0; i < CallsPerCaller; i++)
            {
                calls[i] = counter.Append(caller, i, yield: i % 5 == 0).AsTask();
            }

            return Task.WhenAll(calls);
        }));
        await Bounded.Wait(Task.WhenAll(callers));

        for (var caller = 0; caller < Callers; caller++)
        {
            var sequence = probe.Log.Where(entry => entry.Caller == caller).Select(entry => entry.Sequence);
            Assert.Equal(Enumerable.Range(0, CallsPerCaller), sequence);
        }
    }

    [Fact]
    public async Task ATurnsExceptionGoesToItsCallerOnlyAndTheActivationCarriesOn()
    {
        const int CallsPerCaller = 2_000;
        var probe = new CounterProbe();
        await using var runtime = CreateRuntime(probe);
        var counter = runtime.GetGrain<ICounterGrain>("faulty");

        var callers = Enumerable.Range(0, Threads).Select(caller => Task.Run(async () =>
        {
            var calls = new List<(int Value, FailureMode Failure, Task<int> Call)>();
            for (var i = 0; i < CallsPerCaller; i++)
            {
                var value = caller * CallsPerCaller + i;
                var failure = (FailureMode)(i % 4);
                calls.Add((value, failure, counter.Echo(value, failure).AsTask()));
            }

            foreach (var (value, failure, call) in calls)
            {
                if (failure == FailureMode.None)
                {
                    Assert.Equal(value, await call);
                }
                else
                {
                    var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => call);
                    Assert.EndsWith($" {value}", exception.Message, StringComparison.Ordinal);
                }
            }
        }));
        await Bounded.Wait(Task.WhenAll(callers));

        Assert.Equal(1, await counter.Add(1, yield: false));
    }

    [Fact]
    public async Task AnIdleActivationRunsASynchronousTurnInlineWithoutAllocating()
    {
        var probe = new CounterProbe();
        await using var runtime = CreateRuntime(probe);
        await runtime.GetGrain<ICounterGrain>("inline").Increment();

        // Warm up: the first use of each proxy's static lambda allocates its cached delegate.
        CallInline(runtime, calls: 100);
        var (allocated, synchronous, sameThread, last) = CallInline(runtime, calls: 1_000);

        Assert.True(synchronous);
        Assert.True(sameThread);
        Assert.Equal(1_101, last);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task ACallerRunningQueuedTurnsHandsTheRestToTheThreadPoolAfterABoundedNumber()
    {
        var probe = new CounterProbe();
        await using var runtime = CreateRuntime(probe);
        var counter = runtime.GetGrain<ICounterGrain>("chain");
        await counter.Get();

        // Each Chain turn queues another: a caller that kept running the queue would never return.
        await Bounded.Wait(Task.Run(() => counter.Chain().AsTask()));
        Assert.True(Volatile.Read(ref probe.ChainLinks) >= 1);

        // The chain goes on without that caller, on the thread pool.
        await Bounded.Until(() => Volatile.Read(ref probe.ChainLinks) > 10 * Silo.Runtime.Activation<CounterGrain>.MaxTurnsPerRun);
        probe.StopChain = true;
        Assert.Equal(0, await Bounded.Wait(counter.Get()));
    }

    private static (long Allocated, bool Synchronous, bool SameThread, long Last) CallInline(GrainRuntime runtime, int calls)
    {
        var thread = Environment.CurrentManagedThreadId;
        var synchronous = true;
        var sameThread = true;
        long last = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++)
        {
            var counter = runtime.GetGrain<ICounterGrain>("inline");
            var added = counter.Increment();
            synchronous &= added.IsCompletedSuccessfully;
            last = added.Result;
            var threadId = counter.CurrentThreadId();
            sameThread &= threadId.IsCompletedSuccessfully && threadId.Result == thread;
        }

        return (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, synchronous, sameThread, last);
    }

    private static GrainRuntime CreateRuntime(CounterProbe probe)
    {
        var runtime = new GrainRuntime(new MemoryGrainStorage());
        CounterGrain.Register(runtime, probe);
        return runtime;
    }
}
