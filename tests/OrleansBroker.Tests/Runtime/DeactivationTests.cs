using OrleansBroker.Silo.Runtime;

namespace OrleansBroker.Tests.Runtime;

public sealed class DeactivationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeactivateOnIdleRunsOnDeactivateAndTheNextCallGetsAFreshActivationThatRereadsState(bool yieldOnDeactivate)
    {
        var storage = new CountingGrainStorage();
        var probe = new LifecycleProbe { YieldOnDeactivate = yieldOnDeactivate };
        await using var runtime = CreateRuntime(storage, probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("k");

        await grain.SetValue(7);
        await grain.Deactivate();
        await Bounded.Until(() => probe.Deactivated.Count == 1);
        var report = await Bounded.Wait(grain.Describe());

        Assert.Equal([1], probe.Deactivated);
        Assert.Equal(2, report.ActivationId);
        Assert.Equal(2, storage.Reads);
        Assert.True(report.RecordExistedOnActivate);
        Assert.Equal(7, report.ValueSeenOnActivate);
        Assert.Equal(2, report.Activations);
    }

    [Fact]
    public async Task AProxyHeldAcrossDeactivationReachesTheNextActivation()
    {
        var probe = new LifecycleProbe();
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);
        var held = runtime.GetGrain<ILifecycleGrain>("k");
        await held.Describe();

        await held.Deactivate();
        await Bounded.Until(() => probe.Deactivated.Count == 1);

        Assert.Equal(2, (await Bounded.Wait(held.Describe())).ActivationId);
        Assert.Equal(2, (await Bounded.Wait(runtime.GetGrain<ILifecycleGrain>("k").Describe())).ActivationId);
        Assert.Equal(2, probe.Constructed);
    }

    [Fact]
    public async Task CallsQueuedBeforeAndDuringDeactivationMoveInOrderToTheNextActivation()
    {
        const int Batch = 50;
        var turnGate = new TaskCompletionSource();
        var deactivateGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new LifecycleProbe { DeactivateGate = deactivateGate.Task };
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("k");
        await grain.Describe();

        var hold = grain.Hold(turnGate.Task, deactivate: true).AsTask();
        var calls = new List<Task>();
        calls.AddRange(Enumerable.Range(0, Batch).Select(i => grain.Append(0, i, deactivate: false).AsTask()));
        // Another thread issues its calls; StartNew (not Task.Run) hands back its calls' task as soon as they are issued.
        var otherCaller = Task.Factory.StartNew(
            () => Task.WhenAll(Enumerable.Range(0, Batch).Select(i => grain.Append(1, i, deactivate: false).AsTask())),
            CancellationToken.None,
            TaskCreationOptions.None,
            TaskScheduler.Default);
        calls.Add(await Bounded.Wait(otherCaller));

        // The held turn ends; deactivation starts and waits in OnDeactivateAsync while more calls arrive.
        turnGate.SetResult();
        await Bounded.Wait(hold);
        calls.AddRange(Enumerable.Range(Batch, Batch).Select(i => grain.Append(0, i, deactivate: false).AsTask()));

        // The deactivation finishes on the thread pool while this caller goes on calling: none of its
        // later calls may overtake the ones still waiting to move to the next activation.
        deactivateGate.SetResult();
        calls.AddRange(Enumerable.Range(2 * Batch, 20 * Batch).Select(i => grain.Append(0, i, deactivate: false).AsTask()));
        await Bounded.Wait(Task.WhenAll(calls));

        Assert.Equal([1], probe.Deactivated);
        Assert.All(probe.Log, entry => Assert.Equal(2, entry.ActivationId));
        Assert.Equal(Enumerable.Range(0, 22 * Batch), probe.Log.Where(e => e.Caller == 0).Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(0, Batch), probe.Log.Where(e => e.Caller == 1).Select(e => e.Sequence));
    }

    [Fact]
    public async Task CallsFromOneCallerStayInOrderAcrossRepeatedDeactivations()
    {
        const int Callers = 4;
        const int CallsPerCaller = 1_000;
        var probe = new LifecycleProbe { YieldOnActivate = true, YieldOnDeactivate = true };
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("k");

        // Callers issue calls in small bursts without waiting for them, so calls keep arriving while activations come and go.
        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var calls = new List<Task>();
            for (var i = 0; i < CallsPerCaller; i++)
            {
                calls.Add(grain.Append(caller, i, deactivate: i % 97 == 96).AsTask());
                if (i % 10 == 9)
                {
                    await Task.Yield();
                }
            }

            await Task.WhenAll(calls);
        }));
        await Bounded.Wait(Task.WhenAll(callers));

        Assert.True(probe.Deactivated.Count >= CallsPerCaller / 97);
        for (var caller = 0; caller < Callers; caller++)
        {
            Assert.Equal(Enumerable.Range(0, CallsPerCaller), probe.Log.Where(e => e.Caller == caller).Select(e => e.Sequence));
        }
    }

    [Fact]
    public async Task DeactivatingUnderConcurrentLoadLosesNoCallAndNeverRunsTwoActivationsAtOnce()
    {
        const int Threads = 8;
        const int CallsPerThread = 2_500;
        var probe = new LifecycleProbe { YieldOnActivate = true, YieldOnDeactivate = true };
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("k");

        var callers = Enumerable.Range(0, Threads).Select(caller => Task.Run(async () =>
        {
            if (caller % 2 == 0)
            {
                for (var i = 0; i < CallsPerThread; i++)
                {
                    await grain.AddPersistent(yield: i % 3 == 0, deactivate: i % 50 == 49);
                }
            }
            else
            {
                await Task.WhenAll(Enumerable.Range(0, CallsPerThread)
                    .Select(i => grain.AddPersistent(yield: i % 3 == 0, deactivate: i % 50 == 49).AsTask()));
            }
        }));
        await Bounded.Wait(Task.WhenAll(callers));

        Assert.Equal(Threads * CallsPerThread + 1, await Bounded.Wait(grain.AddPersistent(yield: false, deactivate: false)));
        Assert.Equal(0, probe.Turns.Overlaps);
        Assert.Equal(1, probe.MaxLive);
        Assert.True(probe.Deactivated.Count > 1);
    }

    private static GrainRuntime CreateRuntime(CountingGrainStorage storage, LifecycleProbe probe)
    {
        var runtime = new GrainRuntime(storage);
        LifecycleGrain.Register(runtime, probe);
        return runtime;
    }
}
