using OrleansBroker.Grains.Runtime;
using OrleansBroker.Silo.Runtime;

namespace OrleansBroker.Tests.Runtime;

internal interface ITimerGrain : IGrainWithStringKey
{
    ValueTask StartTimer(TimeSpan period, bool yieldInTick, int failingTicks);

    ValueTask StopTimer();

    ValueTask<long> Add(long amount);

    /// <summary>The count (calls plus ticks, both added in turns) and the ticks so far, read in one turn.</summary>
    ValueTask<(long Count, int Ticks)> Read();

    ValueTask Deactivate();
}

internal sealed class TimerProbe
{
    public TurnProbe Turns { get; } = new();

    public int Ticks;

    public int Deactivations;
}

internal sealed class TimerGrain(IGrainContext context, TimerProbe probe) : Grain(context), ITimerGrain
{
    private IDisposable? _timer;
    private long _count;
    private int _failingTicks;

    public static void Register(GrainRuntime runtime, TimerProbe probe) =>
        runtime.Register<ITimerGrain, TimerGrain>(context => new TimerGrain(context, probe), grain => new TimerGrainProxy(grain));

    public override ValueTask OnDeactivateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref probe.Deactivations);
        return ValueTask.CompletedTask;
    }

    public ValueTask StartTimer(TimeSpan period, bool yieldInTick, int failingTicks)
    {
        _failingTicks = failingTicks;
        _timer = RegisterTimer(() => Tick(yieldInTick), period, period);
        return ValueTask.CompletedTask;
    }

    public ValueTask StopTimer()
    {
        _timer?.Dispose();
        return ValueTask.CompletedTask;
    }

    public async ValueTask<long> Add(long amount)
    {
        probe.Turns.Enter();
        try
        {
            var count = _count;
            await Task.Yield();
            _count = count + amount;
            return _count;
        }
        finally
        {
            probe.Turns.Exit();
        }
    }

    public ValueTask<(long Count, int Ticks)> Read() => new((_count, Volatile.Read(ref probe.Ticks)));

    public ValueTask Deactivate()
    {
        DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }

    private async ValueTask Tick(bool yield)
    {
        probe.Turns.Enter();
        try
        {
            var count = _count;
            if (yield)
            {
                await Task.Yield();
            }

            _count = count + 1;
            Interlocked.Increment(ref probe.Ticks);
            if (_failingTicks > 0)
            {
                _failingTicks--;
                throw new InvalidOperationException("tick failed on purpose");
            }
        }
        finally
        {
            probe.Turns.Exit();
        }
    }
}

internal sealed class TimerGrainProxy(GrainReference<TimerGrain> grain) : ITimerGrain
{
    public ValueTask StartTimer(TimeSpan period, bool yieldInTick, int failingTicks) =>
        grain.InvokeAsync(static (g, a) => g.StartTimer(a.period, a.yieldInTick, a.failingTicks), (period, yieldInTick, failingTicks));

    public ValueTask StopTimer() => grain.InvokeAsync(static (g, _) => g.StopTimer(), 0);

    public ValueTask<long> Add(long amount) => grain.InvokeAsync(static (g, a) => g.Add(a), amount);

    public ValueTask<(long Count, int Ticks)> Read() => grain.InvokeAsync(static (g, _) => g.Read(), 0);

    public ValueTask Deactivate() => grain.InvokeAsync(static (g, _) => g.Deactivate(), 0);
}
