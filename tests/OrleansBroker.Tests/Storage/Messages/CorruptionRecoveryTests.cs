using System.Buffers.Binary;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Silo.Storage.Messages;
using static OrleansBroker.Tests.Storage.Messages.StoreTestKit;

namespace OrleansBroker.Tests.Storage.Messages;

/// <summary>What a crash or a bad disk can leave in the files, and what the store makes of it on the next open.</summary>
public sealed class CorruptionRecoveryTests : IDisposable
{
    private const string Queue = "%2F/orders";
    private const int TruncatedSegmentLogged = 103;
    private const int ShortSegmentDeleted = 101;
    private const int HeaderUnreadable = 102;
    private const int UnknownQueueSkipped = 107;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>Appends messages 1..count one at a time into one segment; returns the segment and where each message's record ends.</summary>
    private async Task<(string Segment, long[] RecordEnds)> WriteMessages(int count)
    {
        var ends = new long[count];
        await using (var store = await Open(_directory.Path))
        {
            for (var i = 0; i < count; i++)
            {
                await store.AppendAsync(Queue, new[] { Message((ulong)i + 1, bodyLength: 3 + i * 5) });
                ends[i] = new FileInfo(Assert.Single(_directory.SegmentFiles())).Length;
            }
        }

        return (Assert.Single(_directory.SegmentFiles()), ends);
    }

    private static async Task AssertRecovers(string directory, int expectedCount, RecordingLogger? logger = null)
    {
        await using var store = await Open(directory, logger: logger);
        var recovered = await RecoverAll(store, Queue);
        Assert.Equal(Enumerable.Range(1, expectedCount).Select(id => (ulong)id), recovered.Select(message => message.Message.Id));
        foreach (var message in recovered)
        {
            AssertSame(Message(message.Message.Id, bodyLength: 3 + ((int)message.Message.Id - 1) * 5), message.Message);
        }
    }

    [Fact]
    public async Task ASegmentCutAtAnyByteRecoversExactlyTheRecordsBeforeTheCut()
    {
        var (segment, ends) = await WriteMessages(5);
        var original = await File.ReadAllBytesAsync(segment);
        for (var cut = 0; cut <= original.Length; cut++)
        {
            using var copy = new TempDirectory();
            var path = Path.Combine(copy.Path, Path.GetFileName(segment));
            await File.WriteAllBytesAsync(path, original[..cut]);
            var logger = new RecordingLogger();

            await AssertRecovers(copy.Path, ends.Count(end => end <= cut), logger);

            if (cut < SegmentFormat.SegmentHeaderLength)
            {
                Assert.True(logger.Logged(ShortSegmentDeleted), $"cut at {cut}");
                Assert.False(File.Exists(path), $"cut at {cut}");
            }
            else if (ends.Contains(cut))
            {
                Assert.False(logger.Logged(TruncatedSegmentLogged), $"cut at {cut}");
            }

            if (File.Exists(path))
            {
                // The torn tail was truncated: the next open finds the same and repairs nothing.
                var repairedLength = new FileInfo(path).Length;
                Assert.True(repairedLength <= cut, $"cut at {cut}");
                var again = new RecordingLogger();
                await AssertRecovers(copy.Path, ends.Count(end => end <= cut), again);
                Assert.False(again.Logged(TruncatedSegmentLogged), $"cut at {cut}");
            }
        }
    }

    [Fact]
    public async Task AFlippedByteAnywhereInARecordLosesThatRecordOnly()
    {
        var (segment, ends) = await WriteMessages(5);
        var original = await File.ReadAllBytesAsync(segment);
        for (var position = (int)ends[1]; position < ends[2]; position++)
        {
            using var copy = new TempDirectory();
            var damaged = (byte[])original.Clone();
            damaged[position] ^= 0x20;
            await File.WriteAllBytesAsync(Path.Combine(copy.Path, Path.GetFileName(segment)), damaged);
            var logger = new RecordingLogger();

            await using var store = await Open(copy.Path, logger: logger);
            Assert.Equal(new ulong[] { 1, 2, 4, 5 }, await RecoveredIds(store, Queue));
            Assert.Contains(logger.Entries, entry => entry.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        }
    }

    [Fact]
    public async Task AFlippedByteInTheLastRecordLosesItAndTruncatesIt()
    {
        var (segment, ends) = await WriteMessages(5);
        var original = await File.ReadAllBytesAsync(segment);
        foreach (var position in new[] { (int)ends[3], (int)ends[3] + 5, (int)ends[3] + 20, (int)ends[4] - 1 })
        {
            using var copy = new TempDirectory();
            var damaged = (byte[])original.Clone();
            damaged[position] ^= 0xFF;
            var path = Path.Combine(copy.Path, Path.GetFileName(segment));
            await File.WriteAllBytesAsync(path, damaged);

            await AssertRecovers(copy.Path, 4);
            Assert.Equal(ends[3], new FileInfo(path).Length);
        }
    }

    [Fact]
    public async Task GarbageAfterTheLastRecordIsTruncatedAway()
    {
        var (segment, ends) = await WriteMessages(4);
        var random = new Random(1234);
        foreach (var garbage in new[] { new byte[1000], Enumerable.Range(0, 1000).Select(_ => (byte)random.Next(256)).ToArray(), new byte[] { 1, 2, 3 } })
        {
            await using (var stream = new FileStream(segment, FileMode.Append))
            {
                await stream.WriteAsync(garbage);
            }

            var logger = new RecordingLogger();
            await AssertRecovers(_directory.Path, 4, logger);
            Assert.True(logger.Logged(TruncatedSegmentLogged));
            Assert.Contains(logger.Entries, entry => entry.Message.Contains($"truncated {garbage.Length} bytes", StringComparison.Ordinal));
            Assert.Equal(ends[3], new FileInfo(segment).Length);
        }
    }

    [Fact]
    public async Task AZeroLengthSegmentIsDeletedAndTheOthersRecovered()
    {
        await WriteMessages(3);
        var empty = Path.Combine(_directory.Path, "0000000007.seg");
        await File.WriteAllBytesAsync(empty, []);
        var logger = new RecordingLogger();

        await AssertRecovers(_directory.Path, 3, logger);
        Assert.True(logger.Logged(ShortSegmentDeleted));
        Assert.False(File.Exists(empty));
    }

    [Fact]
    public async Task AStoreOfOnlyAZeroLengthSegmentOpensEmpty()
    {
        await File.WriteAllBytesAsync(Path.Combine(_directory.Path, "0000000001.seg"), []);
        await AssertRecovers(_directory.Path, 0);
    }

    [Fact]
    public async Task ASegmentWithADamagedHeaderIsSkippedAndLeftInPlace()
    {
        await WriteMessages(2);
        var first = Assert.Single(_directory.SegmentFiles());
        await using (var store = await Open(_directory.Path))
        {
            await store.AppendAsync("other", new[] { Message(9) });
        }

        var bytes = await File.ReadAllBytesAsync(first);
        bytes[0] ^= 0xFF;
        await File.WriteAllBytesAsync(first, bytes);
        var logger = new RecordingLogger();

        await using (var store = await Open(_directory.Path, logger: logger))
        {
            Assert.Empty(await RecoveredIds(store, Queue));
            Assert.Equal(new ulong[] { 9 }, await RecoveredIds(store, "other"));
            await store.AppendAsync(Queue, new[] { Message(3) });
        }

        Assert.True(logger.Logged(HeaderUnreadable));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(first));
        await using var reopened = await Open(_directory.Path);
        Assert.Equal(new ulong[] { 3 }, await RecoveredIds(reopened, Queue));
    }

    [Fact]
    public async Task ASegmentOfAnUnknownFormatVersionIsSkippedAndNamedInTheLog()
    {
        var (segment, _) = await WriteMessages(2);
        var bytes = await File.ReadAllBytesAsync(segment);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), Crc32C.Compute(bytes.AsSpan(0, 12)));
        await File.WriteAllBytesAsync(segment, bytes);
        var logger = new RecordingLogger();

        await AssertRecovers(_directory.Path, 0, logger);
        Assert.Contains(logger.Entries, entry => entry.Message.Contains("unknown format version 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARecordRewrittenAtAnotherOffsetDoesNotPassForARecordThere()
    {
        // A body holding the exact bytes of a valid record: after damage before it, the search for the next
        // record must not take those bytes for a record, since they were sealed for another offset.
        var (segment, ends) = await WriteMessages(2);
        var original = await File.ReadAllBytesAsync(segment);
        var secondRecord = original[(int)ends[0]..(int)ends[1]];
        await File.WriteAllBytesAsync(segment, [.. original[..(int)ends[0]], .. new byte[7], .. secondRecord]);

        await AssertRecovers(_directory.Path, 1);
    }

    [Fact]
    public async Task ADamagedQueueNameRecordLosesThatQueuesRecordsInTheSegmentButNothingThrows()
    {
        // A format limit: records name their queue by an id the segment defines once. The records stay on
        // disk (nothing is truncated) and the loss is logged.
        var (segment, _) = await WriteMessages(3);
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[SegmentFormat.SegmentHeaderLength + SegmentFormat.RecordHeaderLength + 6] ^= 0x01;
        await File.WriteAllBytesAsync(segment, bytes);
        var logger = new RecordingLogger();

        await AssertRecovers(_directory.Path, 0, logger);
        Assert.True(logger.Logged(UnknownQueueSkipped));
        Assert.Equal(bytes.Length, new FileInfo(segment).Length);
    }

    [Fact]
    public async Task OpeningLogsWhatWasRecovered()
    {
        await WriteMessages(3);
        var logger = new RecordingLogger();
        await using var store = await Open(_directory.Path, logger: logger);
        Assert.Contains(logger.Entries, entry => entry.Event.Id == 100 && entry.Message.Contains("recovered 3 messages of 1 queues", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADirectoryThatIsAFileIsRefusedWithItsPathInTheMessage()
    {
        var path = Path.Combine(_directory.Path, "not-a-directory");
        await File.WriteAllTextAsync(path, "x");

        var refused = await Assert.ThrowsAsync<MessageStoreDirectoryException>(() => Open(path));
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        var nested = await Assert.ThrowsAsync<MessageStoreDirectoryException>(() => Open(Path.Combine(path, "messages")));
        Assert.Contains(Path.Combine(path, "messages"), nested.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectoryAnotherStoreHasOpenIsRefused()
    {
        await using var first = await Open(_directory.Path);
        var refused = await Assert.ThrowsAsync<MessageStoreDirectoryException>(() => Open(_directory.Path));
        Assert.Contains(_directory.Path, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageDamagedAfterStartupIsNotHandedOut()
    {
        var (segment, ends) = await WriteMessages(3);
        await using var store = await Open(_directory.Path);
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[(int)ends[1] - 2] ^= 0x01;
        await File.WriteAllBytesAsync(segment, bytes);

        Assert.Equal(new ulong[] { 1, 3 }, await RecoveredIds(store, Queue));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await store.ReadAsync(Queue, 2));
    }

    [Fact]
    public async Task DirectoryFsyncIsAvailableOnLinux()
    {
        await using var store = await Open(_directory.Path);
        Assert.True(!OperatingSystem.IsLinux() || DirectorySync.IsSupported);
    }
}
