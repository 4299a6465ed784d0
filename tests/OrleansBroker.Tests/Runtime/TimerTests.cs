using OrleansBroker.Silo.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Tests.Runtime;

public sealed class TimerTests
{
    // Long enough for a stopped timer to have ticked many times had it not stopped.
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task TimerTicksRunAsTurnsThatNeverOverlapCalls()
    {
        var probe = new TimerProbe();
        await using var runtime = CreateRuntime(probe);
        var grain = runtime.GetGrain<ITimerGrain>("t");
        await grain.StartTimer(TimeSpan.FromMilliseconds(1), yieldInTick: true, failingTicks: 0);

        var calls = 0;
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 500 || Volatile.Read(ref probe.Ticks) < 50; i++)
            {
                await grain.Add(1);
                Interlocked.Increment(ref calls);
            }
        }));
        await Bounded.Wait(Task.WhenAll(callers));
        await grain.StopTimer();

        var (count, ticks) = await grain.Read();
        Assert.True(ticks >= 50);
        Assert.Equal(calls + ticks, count);
        Assert.Equal(0, probe.Turns.Overlaps);
    }

    [Fact]
    public async Task DisposingATimerStopsIt()
    {
        var probe = new TimerProbe();
        await using var runtime = CreateRuntime(probe);
        var grain = runtime.GetGrain<ITimerGrain>("t");
        await grain.StartTimer(Period, yieldInTick: false, failingTicks: 0);
        await Bounded.Until(() => Volatile.Read(ref probe.Ticks) >= 3);

        await grain.StopTimer();
        var (_, ticksWhenStopped) = await grain.Read();
        await Task.Delay(QuietPeriod);

        Assert.Equal(ticksWhenStopped, (await grain.Read()).Ticks);
    }

    [Fact]
    public async Task DeactivationStopsTheActivationsTimers()
    {
        var probe = new TimerProbe();
        await using var runtime = CreateRuntime(probe);
        var grain = runtime.GetGrain<ITimerGrain>("t");
        await grain.StartTimer(Period, yieldInTick: false, failingTicks: 0);
        await Bounded.Until(() => Volatile.Read(ref probe.Ticks) >= 3);

        await grain.Deactivate();
        await Bounded.Until(() => Volatile.Read(ref probe.Deactivations) == 1);
        var ticksWhenDeactivated = Volatile.Read(ref probe.Ticks);
        await Task.Delay(QuietPeriod);

        Assert.Equal(ticksWhenDeactivated, Volatile.Read(ref probe.Ticks));
        Assert.Equal((0, ticksWhenDeactivated), await grain.Read());
    }

    [Fact]
    public async Task ATimerWhoseCallbackFailsKeepsTicking()
    {
        var probe = new TimerProbe();
        await using var runtime = CreateRuntime(probe);
        var grain = runtime.GetGrain<ITimerGrain>("t");

        await grain.StartTimer(Period, yieldInTick: true, failingTicks: 2);

        await Bounded.Until(() => Volatile.Read(ref probe.Ticks) >= 5);
    }

    private static GrainRuntime CreateRuntime(TimerProbe probe)
    {
        var runtime = new GrainRuntime(new MemoryGrainStorage());
        TimerGrain.Register(runtime, probe);
        return runtime;
    }
}
