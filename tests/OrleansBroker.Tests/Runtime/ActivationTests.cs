using OrleansBroker.Grains.Runtime;
using OrleansBroker.Silo.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Tests.Runtime;

public sealed class ActivationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ActivationReadsStateThenRunsOnActivateBeforeTheFirstTurn(bool yieldOnActivate)
    {
        var storage = new CountingGrainStorage();
        await storage.WriteAsync("lifecycle", "seeded", new LifecycleState { Value = 42 });
        var probe = new LifecycleProbe { YieldOnActivate = yieldOnActivate };
        await using var runtime = CreateRuntime(storage, probe);

        var report = await Bounded.Wait(runtime.GetGrain<ILifecycleGrain>("seeded").Describe());

        Assert.Equal(1, storage.Reads);
        Assert.True(report.RecordExistedOnActivate);
        Assert.Equal(42, report.ValueSeenOnActivate);
        Assert.True(report.ActivatedBeforeFirstTurn);
        Assert.Equal(1, report.Activations);
    }

    [Fact]
    public async Task AGrainWithoutStoredStateStartsFromANewState()
    {
        var probe = new LifecycleProbe();
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);

        var report = await runtime.GetGrain<ILifecycleGrain>("fresh").Describe();

        Assert.False(report.RecordExistedOnActivate);
        Assert.Equal(0, report.ValueSeenOnActivate);
        Assert.True(report.ActivatedBeforeFirstTurn);
    }

    [Fact]
    public async Task ConcurrentFirstCallsShareOneActivation()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new LifecycleProbe { ActivateGate = gate.Task };
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);

        var calls = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => runtime.GetGrain<ILifecycleGrain>("contended").Describe().AsTask()))
            .ToArray();
        await Bounded.Until(() => probe.Constructed == 1);
        gate.SetResult();
        var reports = await Bounded.Wait(Task.WhenAll(calls));

        Assert.Equal(1, probe.Constructed);
        Assert.All(reports, report => Assert.Equal(1, report.ActivationId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFailedActivationFailsTheCallThatNeededItAndTheNextCallActivatesAfresh(bool yieldOnActivate)
    {
        var probe = new LifecycleProbe { YieldOnActivate = yieldOnActivate };
        probe.FailActivations(1);
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("flaky");

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => Bounded.Wait(grain.Describe()));
        Assert.Contains("failed on purpose", exception.Message, StringComparison.Ordinal);

        var report = await Bounded.Wait(grain.Describe());
        Assert.Equal(2, report.ActivationId);
        Assert.Equal(2, probe.Constructed);
        Assert.Empty(probe.Deactivated);
    }

    [Fact]
    public async Task CallsQueuedBehindAFailedActivationGoToAFreshActivationInOrder()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new LifecycleProbe { ActivateGate = gate.Task };
        probe.FailActivations(1);
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("flaky");

        var calls = Enumerable.Range(0, 10).Select(i => grain.Append(0, i, deactivate: false).AsTask()).ToArray();
        gate.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Bounded.Wait(calls[0]));
        await Bounded.Wait(Task.WhenAll(calls[1..]));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (2, 0, i)), probe.Log);
    }

    [Fact]
    public async Task AGrainConstructorThatThrowsFailsTheCallAndTheNextCallConstructsAgain()
    {
        var probe = new CounterProbe();
        var attempts = 0;
        await using var runtime = new GrainRuntime(new MemoryGrainStorage());
        runtime.Register<ICounterGrain, CounterGrain>(
            context => Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("no grain today") : new CounterGrain(context, probe),
            grain => new CounterGrainProxy(grain));
        var counter = runtime.GetGrain<ICounterGrain>("c");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Bounded.Wait(counter.Increment()));
        Assert.Equal(1, await Bounded.Wait(counter.Increment()));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task PersistentStateCanOnlyBeCreatedWhileTheGrainIsConstructed()
    {
        var probe = new LifecycleProbe();
        await using var runtime = CreateRuntime(new CountingGrainStorage(), probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("late-state");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Bounded.Wait(grain.CreateStateInTurn()));
        Assert.Equal(1, (await grain.Describe()).ActivationId);
    }

    [Fact]
    public async Task CreatePersistentStateRefusesAContextThatIsNotItsActivation()
    {
        await using var runtime = new GrainRuntime(new MemoryGrainStorage());

        Assert.Throws<ArgumentException>(() => runtime.CreatePersistentState<LifecycleState>(new ForeignContext(), "lifecycle"));
    }

    private static GrainRuntime CreateRuntime(IGrainStorage storage, LifecycleProbe probe)
    {
        var runtime = new GrainRuntime(storage);
        LifecycleGrain.Register(runtime, probe);
        return runtime;
    }

    private sealed class ForeignContext : IGrainContext
    {
        public string GrainKey => "foreign";

        public IGrainFactory GrainFactory => throw new NotSupportedException();

        public void DeactivateOnIdle() => throw new NotSupportedException();

        public IDisposable RegisterTimer(Func<ValueTask> callback, TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();
    }
}
