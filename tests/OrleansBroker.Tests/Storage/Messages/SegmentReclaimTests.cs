using OrleansBroker.Silo.Storage.Messages;
using static OrleansBroker.Tests.Storage.Messages.StoreTestKit;

namespace OrleansBroker.Tests.Storage.Messages;

public sealed class SegmentReclaimTests : IDisposable
{
    private const string Queue = "%2F/backlog";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static SegmentMessageStoreOptions SmallSegments(bool compaction = false) =>
        new() { SegmentSize = 4096, CompactBelowLiveFraction = compaction ? 0.5 : 0 };

    [Fact]
    public async Task SegmentsRollOverAtTheSegmentSizeAndAllComeBack()
    {
        await using (var store = await Open(_directory.Path, SmallSegments()))
        {
            for (ulong id = 1; id <= 100; id++)
            {
                await store.AppendAsync(Queue, new[] { Message(id, bodyLength: 200) });
            }
        }

        var files = _directory.SegmentFiles();
        Assert.True(files.Length >= 5, $"expected several segments, found {files.Length}");
        Assert.All(files, file => Assert.InRange(new FileInfo(file).Length, 1, 4096));

        await using var reopened = await Open(_directory.Path, SmallSegments());
        var recovered = await RecoverAll(reopened, Queue);
        Assert.Equal(Enumerable.Range(1, 100).Select(id => (ulong)id), recovered.Select(message => message.Message.Id));
        AssertSame(Message(77, bodyLength: 200), recovered[76].Message);
    }

    [Fact]
    public async Task AMessageLargerThanASegmentGetsASegmentOfItsOwn()
    {
        var big = Message(2, bodyLength: 10_000);
        await using (var store = await Open(_directory.Path, SmallSegments()))
        {
            await store.AppendAsync(Queue, new[] { Message(1), big, Message(3) });
        }

        await using var reopened = await Open(_directory.Path, SmallSegments());
        var recovered = await RecoverAll(reopened, Queue);
        Assert.Equal(new ulong[] { 1, 2, 3 }, recovered.Select(message => message.Message.Id));
        AssertSame(big, recovered[1].Message);
    }

    [Fact]
    public async Task SegmentsWhoseMessagesAreAllRemovedAreDeleted()
    {
        await using var store = await Open(_directory.Path, SmallSegments());
        for (ulong id = 1; id <= 100; id++)
        {
            await store.AppendAsync(Queue, new[] { Message(id, bodyLength: 200) });
        }

        var segmentsBefore = _directory.SegmentFiles().Length;
        store.Remove(Queue, Enumerable.Range(1, 95).Select(id => (ulong)id).ToArray());
        await store.FlushAsync();

        // What is left: the segment(s) holding 96..100, and the active one with the removal record.
        var segmentsAfter = _directory.SegmentFiles().Length;
        Assert.True(segmentsAfter <= 3, $"{segmentsBefore} segments before, {segmentsAfter} after");
        Assert.Equal(store.SegmentNumbers.Length, segmentsAfter);
        Assert.Equal(Enumerable.Range(96, 5).Select(id => (ulong)id), await RecoveredIds(store, Queue));

        await store.DisposeAsync();
        await using var reopened = await Open(_directory.Path, SmallSegments());
        Assert.Equal(Enumerable.Range(96, 5).Select(id => (ulong)id), await RecoveredIds(reopened, Queue));
    }

    [Fact]
    public async Task RemovalRecordsOutliveTheMessagesTheyRemove()
    {
        // Message 1 stays in the first segment; 2..100 are removed by records in later segments. Deleting
        // those later segments while the first one exists would bring 2... back at the next open.
        await using (var store = await Open(_directory.Path, SmallSegments(compaction: false)))
        {
            for (ulong id = 1; id <= 100; id++)
            {
                await store.AppendAsync(Queue, new[] { Message(id, bodyLength: 200) });
            }

            var segmentsWritten = _directory.SegmentFiles().Length;
            for (ulong id = 2; id <= 100; id++)
            {
                store.Remove(Queue, new[] { id });
                await store.FlushAsync();
            }

            Assert.True(File.Exists(Path.Combine(_directory.Path, "0000000001.seg")));
            Assert.True(_directory.SegmentFiles().Length < segmentsWritten, "segments with only removed messages should have gone");
        }

        await using var reopened = await Open(_directory.Path, SmallSegments(compaction: false));
        Assert.Equal(new ulong[] { 1 }, await RecoveredIds(reopened, Queue));
    }

    [Fact]
    public async Task CompactionCopiesTheFewLiveMessagesForwardAndFreesTheirSegment()
    {
        await using (var store = await Open(_directory.Path, SmallSegments(compaction: true)))
        {
            for (ulong id = 1; id <= 100; id++)
            {
                await store.AppendAsync(Queue, new[] { Message(id, bodyLength: 200) });
            }

            store.MarkDelivered(Queue, [1]);
            store.Remove(Queue, Enumerable.Range(2, 98).Select(id => (ulong)id).ToArray());
            await store.FlushAsync();

            Assert.False(File.Exists(Path.Combine(_directory.Path, "0000000001.seg")), "the first segment should have been compacted away");
            Assert.True(_directory.SegmentFiles().Length <= 3, $"{_directory.SegmentFiles().Length} segments left");
            var live = await RecoverAll(store, Queue);
            Assert.Equal(new ulong[] { 1, 100 }, live.Select(message => message.Message.Id));
            AssertSame(Message(1, bodyLength: 200), await store.ReadAsync(Queue, 1));
        }

        await using var reopened = await Open(_directory.Path, SmallSegments(compaction: true));
        var recovered = await RecoverAll(reopened, Queue);
        Assert.Equal(new ulong[] { 1, 100 }, recovered.Select(message => message.Message.Id));
        Assert.True(recovered[0].Delivered);
        Assert.False(recovered[1].Delivered);
        AssertSame(Message(1, bodyLength: 200), recovered[0].Message);
    }

    [Fact]
    public async Task DeletingAQueueFreesItsSegments()
    {
        await using var store = await Open(_directory.Path, SmallSegments());
        for (ulong id = 1; id <= 60; id++)
        {
            await store.AppendAsync(Queue, new[] { Message(id, bodyLength: 200) });
        }

        await store.AppendAsync("survivor", new[] { Message(1) });
        await store.DeleteQueueAsync(Queue);
        await store.FlushAsync();
        Assert.True(_directory.SegmentFiles().Length <= 2, $"{_directory.SegmentFiles().Length} segments left");

        await store.DisposeAsync();
        await using var reopened = await Open(_directory.Path, SmallSegments());
        Assert.Empty(await RecoveredIds(reopened, Queue));
        Assert.Equal(new ulong[] { 1 }, await RecoveredIds(reopened, "survivor"));
    }

    [Fact]
    public async Task OpeningAndClosingAnEmptyStoreLeavesNoSegments()
    {
        for (var run = 0; run < 3; run++)
        {
            await using var store = await Open(_directory.Path);
        }

        Assert.Empty(_directory.SegmentFiles());
    }

    [Fact]
    public async Task SegmentsLeftWithNothingLiveByAnEarlierRunAreDeletedAtTheNextOpen()
    {
        await using (var store = await Open(_directory.Path, SmallSegments()))
        {
            await store.AppendAsync(Queue, Batch(1, 3));
        }

        await using (var store = await Open(_directory.Path, SmallSegments()))
        {
            store.Remove(Queue, [1, 2, 3]);
        }

        await using (var store = await Open(_directory.Path, SmallSegments()))
        {
            await store.FlushAsync();
            Assert.Single(_directory.SegmentFiles());
            Assert.Empty(await RecoveredIds(store, Queue));
        }
    }
}
