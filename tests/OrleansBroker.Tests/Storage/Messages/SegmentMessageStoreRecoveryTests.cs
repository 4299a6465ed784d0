using OrleansBroker.Grains.Storage;
using OrleansBroker.Silo.Storage.Messages;
using static OrleansBroker.Tests.Storage.Messages.StoreTestKit;

namespace OrleansBroker.Tests.Storage.Messages;

public sealed class SegmentMessageStoreRecoveryTests : IDisposable
{
    private const string Orders = "%2F/orders";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AppendedMessagesComeBackAfterReopeningInIdOrderWithExactBytes()
    {
        var messages = new[]
        {
            Message(1, bodyLength: 0),
            Message(2, bodyLength: 1, exchange: "", routingKey: ""),
            Message(3, bodyLength: 70_000, exchange: "ëxchange/ünïcode", routingKey: "key.with.日本語"),
            new StoredMessage(4, "x", "rk", ReadOnlyMemory<byte>.Empty, new byte[] { 0, 255, 0, 1 }),
        };
        await using (var store = await Open(_directory.Path))
        {
            await store.AppendAsync(Orders, messages.AsMemory(0, 2));
            await store.AppendAsync(Orders, messages.AsMemory(2));
        }

        await using var reopened = await Open(_directory.Path);
        var recovered = await RecoverAll(reopened, Orders);
        Assert.Equal(messages.Length, recovered.Count);
        for (var i = 0; i < messages.Length; i++)
        {
            AssertSame(messages[i], recovered[i].Message);
            Assert.False(recovered[i].Delivered);
        }
    }

    [Fact]
    public async Task MessagesAreRecoveredInIdOrderWhateverOrderTheyWereAppendedIn()
    {
        await using (var store = await Open(_directory.Path))
        {
            await store.AppendAsync(Orders, new[] { Message(5), Message(9) });
            await store.AppendAsync(Orders, new[] { Message(2) });
            await store.AppendAsync(Orders, new[] { Message(7) });
        }

        await using var reopened = await Open(_directory.Path);
        Assert.Equal(new ulong[] { 2ul, 5, 7, 9 }, await RecoveredIds(reopened, Orders));
    }

    [Fact]
    public async Task RemovalsAndDeliveredFlagsSurviveAReopen()
    {
        await using (var store = await Open(_directory.Path))
        {
            await store.AppendAsync(Orders, Batch(1, 10));
            store.Remove(Orders, [2, 4, 6]);
            store.MarkDelivered(Orders, [1, 3, 4]);
            store.Remove(Orders, [10]);
        }

        await using var reopened = await Open(_directory.Path);
        var recovered = await RecoverAll(reopened, Orders);
        Assert.Equal(new ulong[] { 1ul, 3, 5, 7, 8, 9 }, recovered.Select(message => message.Message.Id));
        Assert.Equal(new ulong[] { 1ul, 3 }, recovered.Where(message => message.Delivered).Select(message => message.Message.Id));
        AssertSame(Message(7), recovered.Single(message => message.Message.Id == 7).Message);
    }

    [Fact]
    public async Task RemovingUnknownIdsOrMarkingThemIsHarmless()
    {
        await using (var store = await Open(_directory.Path))
        {
            store.Remove("never-seen", [1, 2]);
            store.MarkDelivered(Orders, [42]);
            await store.AppendAsync(Orders, Batch(1, 2));
            store.Remove(Orders, [1, 1, 99]);
        }

        await using var reopened = await Open(_directory.Path);
        Assert.Equal(new ulong[] { 2ul }, await RecoveredIds(reopened, Orders));
        Assert.Empty(await RecoveredIds(reopened, "never-seen"));
    }

    [Fact]
    public async Task ManyQueuesInterleavedKeepTheirOwnMessages()
    {
        var queues = Enumerable.Range(0, 20).Select(i => $"vhost-{i % 3}/queue {i} with spaces/slashes/%2F").ToArray();
        await using (var store = await Open(_directory.Path))
        {
            var appends = new List<Task>();
            for (ulong id = 1; id <= 30; id++)
            {
                foreach (var queue in queues)
                {
                    appends.Add(store.AppendAsync(queue, new[] { Message(id * 1000 + (ulong)queue.Length) }).AsTask());
                }
            }

            await Task.WhenAll(appends);
            foreach (var queue in queues.Where((_, index) => index % 2 == 0))
            {
                store.Remove(queue, new[] { 1000 + (ulong)queue.Length });
            }
        }

        await using var reopened = await Open(_directory.Path);
        for (var index = 0; index < queues.Length; index++)
        {
            var queue = queues[index];
            var expected = Enumerable.Range(index % 2 == 0 ? 2 : 1, index % 2 == 0 ? 29 : 30)
                .Select(id => (ulong)id * 1000 + (ulong)queue.Length);
            var recovered = await RecoverAll(reopened, queue);
            Assert.Equal(expected, recovered.Select(message => message.Message.Id));
            foreach (var message in recovered)
            {
                AssertSame(Message(message.Message.Id), message.Message);
            }
        }
    }

    [Fact]
    public async Task DeletedQueueRecoversNothingAndANewQueueOfTheSameNameStartsAfresh()
    {
        await using (var store = await Open(_directory.Path))
        {
            await store.AppendAsync(Orders, Batch(1, 5));
            await store.AppendAsync("other", Batch(1, 2));
            await store.DeleteQueueAsync(Orders);
            Assert.Empty(await RecoveredIds(store, Orders));
            await store.AppendAsync(Orders, Batch(3, 2));
        }

        await using var reopened = await Open(_directory.Path);
        Assert.Equal(new ulong[] { 3ul, 4 }, await RecoveredIds(reopened, Orders));
        Assert.Equal(new ulong[] { 1ul, 2 }, await RecoveredIds(reopened, "other"));
    }

    [Fact]
    public async Task ReadAsyncReturnsOneLiveMessageAndRefusesOthers()
    {
        await using var store = await Open(_directory.Path);
        await store.AppendAsync(Orders, Batch(1, 3, bodyLength: 500));
        AssertSame(Message(2, bodyLength: 500), await store.ReadAsync(Orders, 2));

        store.Remove(Orders, [2]);
        await store.FlushAsync();
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await store.ReadAsync(Orders, 2));
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await store.ReadAsync("nope", 1));
        AssertSame(Message(3, bodyLength: 500), await store.ReadAsync(Orders, 3));
    }

    [Fact]
    public async Task AReopenedStoreKeepsWorkingAcrossSeveralRuns()
    {
        for (ulong run = 0; run < 4; run++)
        {
            await using var store = await Open(_directory.Path);
            Assert.Equal(Enumerable.Range(1, (int)run).Select(id => (ulong)id * 10), await RecoveredIds(store, Orders));
            await store.AppendAsync(Orders, new[] { Message((run + 1) * 10) });
            store.MarkDelivered(Orders, [(run + 1) * 10]);
        }

        await using var last = await Open(_directory.Path);
        Assert.All(await RecoverAll(last, Orders), message => Assert.True(message.Delivered));
    }

    [Fact]
    public async Task CallsAfterDisposeAreRefused()
    {
        var store = await Open(_directory.Path);
        await store.DisposeAsync();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.AppendAsync(Orders, Batch(1, 1)));
        Assert.Throws<ObjectDisposedException>(() => store.Remove(Orders, [1]));
    }

    [Fact]
    public async Task AQueueKeyThatIsNotValidUnicodeIsRefusedRatherThanStoredAltered()
    {
        await using var store = await Open(_directory.Path);
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.AppendAsync("bad\uD800key", Batch(1, 1)));
    }
}
