using OrleansBroker.Grains.Storage;
using OrleansBroker.Silo.Storage.Messages;
using static OrleansBroker.Tests.Storage.Messages.StoreTestKit;

namespace OrleansBroker.Tests.Storage.Messages;

public sealed class GroupCommitTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AppendsQueuedTogetherShareOneFsync()
    {
        await using var store = await Open(_directory.Path);
        var before = store.FsyncCount;
        Task[] appends;
        using (store.PauseWriter())
        {
            appends = Enumerable.Range(0, 100)
                .Select(i => store.AppendAsync($"queue-{i % 7}", new[] { Message((ulong)i) }).AsTask())
                .ToArray();
        }

        await Task.WhenAll(appends);
        Assert.Equal(1, store.FsyncCount - before);
    }

    [Fact]
    public async Task ConcurrentAppendsFromManyThreadsAllCompleteAndAreAllOnDisk()
    {
        const int Threads = 8;
        const int AppendsPerThread = 50;
        await using (var store = await Open(_directory.Path))
        {
            var before = store.FsyncCount;
            await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
            {
                for (var i = 0; i < AppendsPerThread; i++)
                {
                    await store.AppendAsync($"queue-{thread}", new[] { Message((ulong)i) });
                }
            })));

            // One fsync per turn at most, whatever the grouping was.
            Assert.InRange(store.FsyncCount - before, 1, Threads * AppendsPerThread);
        }

        await using var reopened = await Open(_directory.Path);
        for (var thread = 0; thread < Threads; thread++)
        {
            Assert.Equal(Enumerable.Range(0, AppendsPerThread).Select(id => (ulong)id), await RecoveredIds(reopened, $"queue-{thread}"));
        }
    }

    [Fact]
    public async Task MarksRideAlongWithTheNextAppendsFsync()
    {
        var options = new SegmentMessageStoreOptions { WriteBehindFlushInterval = TimeSpan.FromHours(1) };
        await using var store = await Open(_directory.Path, options);
        await store.AppendAsync("q", Batch(1, 100));
        var before = store.FsyncCount;
        Task append;
        using (store.PauseWriter())
        {
            for (ulong id = 1; id <= 50; id++)
            {
                store.MarkDelivered("q", [id]);
                store.Remove("q", [id]);
            }

            append = store.AppendAsync("q", new[] { Message(101) }).AsTask();
        }

        await append;
        Assert.Equal(1, store.FsyncCount - before);
        Assert.Equal(Enumerable.Range(51, 51).Select(id => (ulong)id), await RecoveredIds(store, "q"));
    }

    [Fact]
    public async Task AnAppendThatCannotBeStoredIsRefusedWithoutHarmingOthers()
    {
        await using var store = await Open(_directory.Path);
        var tooLongExchange = new string('x', 70_000);
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.AppendAsync("q", new[] { new StoredMessage(1, tooLongExchange, "", default, default) }));
        await store.AppendAsync("q", new[] { Message(2) });
        Assert.Equal(new ulong[] { 2 }, await RecoveredIds(store, "q"));
    }
}
