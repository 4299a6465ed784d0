using OrleansBroker.Silo.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Tests.Runtime;

public sealed class GrainFactoryTests
{
    [Fact]
    public async Task GetGrainHandsOutOneProxyPerKeyAndDoesNotActivate()
    {
        var probe = new LifecycleProbe();
        await using var runtime = new GrainRuntime(new MemoryGrainStorage());
        LifecycleGrain.Register(runtime, probe);

        var first = runtime.GetGrain<ILifecycleGrain>("a");

        Assert.Same(first, runtime.GetGrain<ILifecycleGrain>("a"));
        Assert.NotSame(first, runtime.GetGrain<ILifecycleGrain>("b"));
        Assert.Equal(0, probe.Constructed);
    }

    [Fact]
    public async Task GetGrainOfAnUnregisteredInterfaceThrows()
    {
        await using var runtime = new GrainRuntime(new MemoryGrainStorage());

        Assert.Throws<InvalidOperationException>(() => runtime.GetGrain<ICounterGrain>("a"));
    }

    [Fact]
    public async Task AnInterfaceCanBeRegisteredOnlyOnce()
    {
        await using var runtime = new GrainRuntime(new MemoryGrainStorage());
        CounterGrain.Register(runtime, new CounterProbe());

        Assert.Throws<InvalidOperationException>(() => CounterGrain.Register(runtime, new CounterProbe()));
    }

    [Fact]
    public async Task GrainsWithDifferentKeysAreDifferentActivations()
    {
        var probe = new CounterProbe();
        await using var runtime = new GrainRuntime(new MemoryGrainStorage());
        CounterGrain.Register(runtime, probe);

        await runtime.GetGrain<ICounterGrain>("a").Add(5, yield: true);
        await runtime.GetGrain<ICounterGrain>("b").Add(1, yield: false);

        Assert.Equal(5, await runtime.GetGrain<ICounterGrain>("a").Get());
        Assert.Equal(1, await runtime.GetGrain<ICounterGrain>("b").Get());
    }
}
