using OrleansBroker.Silo.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Tests.Runtime;

public sealed class GrainStorageTests
{
    [Fact]
    public async Task MemoryStorageReadsNothingUntilWrittenThenTheObjectWrittenUntilCleared()
    {
        var storage = new MemoryGrainStorage();
        var state = new LifecycleState { Value = 3 };

        Assert.Equal((null, false), await storage.ReadAsync<LifecycleState>("s", "k"));
        await storage.WriteAsync("s", "k", state);
        var (read, exists) = await storage.ReadAsync<LifecycleState>("s", "k");
        Assert.True(exists);
        Assert.Same(state, read);
        Assert.Equal((null, false), await storage.ReadAsync<LifecycleState>("other", "k"));

        await storage.ClearAsync("s", "k");
        Assert.Equal((null, false), await storage.ReadAsync<LifecycleState>("s", "k"));
        Assert.Equal(0, storage.Count);
    }

    [Fact]
    public async Task MemoryStorageRefusesToReadARecordAsAnotherType()
    {
        var storage = new MemoryGrainStorage();
        await storage.WriteAsync("s", "k", new LifecycleState());

        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.ReadAsync<CounterProbe>("s", "k"));
    }

    [Fact]
    public async Task PersistentStateReadsWritesAndClearsItsRecord()
    {
        var storage = new MemoryGrainStorage();
        var state = new PersistentState<LifecycleState>(storage, "s", "k");

        await state.ReadStateAsync();
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State.Value);

        state.State.Value = 9;
        await state.WriteStateAsync();
        Assert.True(state.RecordExists);

        var reread = new PersistentState<LifecycleState>(storage, "s", "k");
        await reread.ReadStateAsync();
        Assert.True(reread.RecordExists);
        Assert.Equal(9, reread.State.Value);

        await reread.ClearStateAsync();
        Assert.False(reread.RecordExists);
        Assert.Equal(0, reread.State.Value);
        Assert.Equal(0, storage.Count);
    }
}
