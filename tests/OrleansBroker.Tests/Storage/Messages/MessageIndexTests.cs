using System.Runtime.CompilerServices;
using OrleansBroker.Silo.Storage.Messages;

namespace OrleansBroker.Tests.Storage.Messages;

public sealed class MessageIndexTests
{
    private const string Queue = "q";

    private static MessageIndex IndexWithSegments(params uint[] numbers)
    {
        var index = new MessageIndex();
        foreach (var number in numbers)
        {
            index.AddSegment(number, $"{number}.seg", 4096);
        }

        return index;
    }

    private static MessageLocation At(uint segment, uint offset = 16) => new(segment, offset, 100, Delivered: false);

    private static uint[] Reclaimable(MessageIndex index, uint active) => index.Reclaimable(active).Select(segment => segment.Number).ToArray();

    [Fact]
    public void TheIndexEntryOfAMessageIsSixteenBytes() => Assert.True(Unsafe.SizeOf<MessageLocation>() <= 16);

    [Fact]
    public void ASegmentWithRemovalsOfOlderMessagesWaitsForTheirSegment()
    {
        var index = IndexWithSegments(1, 2, 3);
        index.Append(Queue, 1, At(1));
        index.Append(Queue, 2, At(1, 116));
        Assert.True(index.Remove(Queue, 1, recordSegment: 2));

        Assert.Empty(Reclaimable(index, active: 3));
        Assert.True(index.Remove(Queue, 2, recordSegment: 3));
        Assert.Equal(new uint[] { 1 }, Reclaimable(index, active: 3));

        index.ForgetSegment(1);
        Assert.Equal(new uint[] { 2 }, Reclaimable(index, active: 3));
    }

    [Fact]
    public void ACopyOfAMessageMustOutliveTheOriginal()
    {
        // Compaction copied message 1 from segment 1 to 2, then it was removed in 3. Were 2 deleted before 1,
        // the original in 1 would be live again at the next recovery.
        var index = IndexWithSegments(1, 2, 3, 4);
        index.Append(Queue, 1, At(1));
        index.Append(Queue, 1, At(2));
        Assert.Equal(1, index.MessageCount);
        Assert.True(index.Remove(Queue, 1, recordSegment: 3));

        Assert.Equal(new uint[] { 1 }, Reclaimable(index, active: 4));
        index.ForgetSegment(1);
        Assert.Equal(new uint[] { 2 }, Reclaimable(index, active: 4));
        index.ForgetSegment(2);
        Assert.Equal(new uint[] { 3 }, Reclaimable(index, active: 4));
    }

    [Fact]
    public void DeletingAQueueEndsItsMessagesAndWaitsForTheirSegments()
    {
        var index = IndexWithSegments(1, 2);
        index.Append(Queue, 1, At(1));
        index.Append("other", 1, At(1, 116));
        index.DeleteQueue(Queue, recordSegment: 2);

        Assert.Equal(1, index.MessageCount);
        Assert.False(index.TryGetLocation(Queue, 1, out _));
        Assert.Empty(Reclaimable(index, active: 3));
        Assert.True(index.Remove("other", 1, recordSegment: 2));
        Assert.Equal(new uint[] { 1 }, Reclaimable(index, active: 3));
        index.ForgetSegment(1);
        Assert.Equal(new uint[] { 2 }, Reclaimable(index, active: 3));
    }

    [Fact]
    public void MarksOfUnknownOrAlreadyMarkedMessagesChangeNothing()
    {
        var index = IndexWithSegments(1, 2);
        index.Append(Queue, 1, At(1));
        Assert.True(index.MarkDelivered(Queue, 1, recordSegment: 2));
        Assert.False(index.MarkDelivered(Queue, 1, recordSegment: 2));
        Assert.False(index.MarkDelivered(Queue, 9, recordSegment: 2));
        Assert.False(index.Remove("nobody", 1, recordSegment: 2));
        Assert.True(index.TryGetLocation(Queue, 1, out var location) && location.Delivered);
    }
}
