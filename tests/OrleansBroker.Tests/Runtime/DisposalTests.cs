using OrleansBroker.Silo.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Tests.Runtime;

public sealed class DisposalTests
{
    [Fact]
    public async Task DisposeDeactivatesEveryActivationStopsTimersAndLaterCallsThrow()
    {
        var lifecycle = new LifecycleProbe { YieldOnDeactivate = true };
        var timers = new TimerProbe();
        var runtime = new GrainRuntime(new MemoryGrainStorage());
        LifecycleGrain.Register(runtime, lifecycle);
        TimerGrain.Register(runtime, timers);
        var grains = Enumerable.Range(0, 10).Select(i => runtime.GetGrain<ILifecycleGrain>($"g{i}")).ToArray();
        foreach (var grain in grains)
        {
            await grain.Describe();
        }

        var timerGrain = runtime.GetGrain<ITimerGrain>("t");
        await timerGrain.StartTimer(TimeSpan.FromMilliseconds(5), yieldInTick: false, failingTicks: 0);
        await Bounded.Until(() => Volatile.Read(ref timers.Ticks) >= 1);

        await Bounded.Wait(runtime.DisposeAsync());

        Assert.Equal(Enumerable.Range(1, 10), lifecycle.Deactivated.Order());
        Assert.Equal(1, Volatile.Read(ref timers.Deactivations));
        var ticks = Volatile.Read(ref timers.Ticks);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.Equal(ticks, Volatile.Read(ref timers.Ticks));

        await Assert.ThrowsAsync<ObjectDisposedException>(() => grains[0].Describe().AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => timerGrain.Read().AsTask());
        Assert.Throws<ObjectDisposedException>(() => runtime.GetGrain<ILifecycleGrain>("g0"));
        await Bounded.Wait(runtime.DisposeAsync());
    }

    [Fact]
    public async Task DisposeWaitsForTheTurnInProgressAndFailsTheCallsQueuedBehindIt()
    {
        var probe = new LifecycleProbe();
        var runtime = new GrainRuntime(new MemoryGrainStorage());
        LifecycleGrain.Register(runtime, probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("busy");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var hold = grain.Hold(gate.Task, deactivate: false).AsTask();
        var queued = Enumerable.Range(0, 5).Select(_ => grain.Describe().AsTask()).ToArray();
        var disposal = runtime.DisposeAsync().AsTask();

        Assert.False(disposal.IsCompleted);
        gate.SetResult();
        await Bounded.Wait(hold);
        foreach (var call in queued)
        {
            await Assert.ThrowsAsync<ObjectDisposedException>(() => Bounded.Wait(call));
        }

        await Bounded.Wait(disposal);
        Assert.Equal([1], probe.Deactivated);
    }

    [Fact]
    public async Task DisposeDeactivatesAnActivationThatNeverRan()
    {
        var probe = new LifecycleProbe();
        var runtime = new GrainRuntime(new MemoryGrainStorage());
        LifecycleGrain.Register(runtime, probe);
        var grain = runtime.GetGrain<ILifecycleGrain>("g");
        await grain.Describe();
        await grain.Deactivate();
        await Bounded.Until(() => probe.Deactivated.Count == 1);

        await Bounded.Wait(runtime.DisposeAsync());

        Assert.Equal(1, probe.Constructed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => grain.Describe().AsTask());
    }
}
