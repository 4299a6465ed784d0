using OrleansBroker.Amqp;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class DeliveryCountHeaderTests
{
    /// <summary>Observed on a quorum queue: {'h': 1} redelivered after one nack came as {'h': 1, 'x-delivery-count': 1}.</summary>
    [Fact]
    public void Adds_the_count_as_a_long_among_sorted_headers()
    {
        var properties = BasicPropertiesWriter.ToArray(new MessageProperties { Headers = new FieldTable([new("z", 1), new("h", 1)]), MessageId = "m" });

        var read = BasicPropertiesReader.Read(DeliveryCountHeader.Apply(properties, 1));

        Assert.Equal(["h", "x-delivery-count", "z"], read.Headers!.Select(h => h.Key));
        Assert.True(read.Headers!.TryGetValue("x-delivery-count", out var count));
        Assert.Equal(1L, count);
        Assert.Equal("m", read.MessageId);
    }

    [Fact]
    public void Replaces_one_the_publisher_sent_and_creates_headers_when_there_are_none()
    {
        var forged = BasicPropertiesWriter.ToArray(new MessageProperties { Headers = new FieldTable([new("x-delivery-count", "99")]) });

        Assert.Equal(new FieldTable([new("x-delivery-count", 2L)]), BasicPropertiesReader.Read(DeliveryCountHeader.Apply(forged, 2)).Headers);
        Assert.Equal(new FieldTable([new("x-delivery-count", 0L)]), BasicPropertiesReader.Read(DeliveryCountHeader.Apply(BasicPropertiesWriter.ToArray(new MessageProperties()), 0)).Headers);
    }

    /// <summary>Observed: consumers see no header on a first delivery; basic.get shows x-delivery-count 0.</summary>
    [Theory]
    [InlineData(0, false, false)]
    [InlineData(1, false, true)]
    [InlineData(0, true, true)]
    public void Consumers_see_it_after_a_return_and_basic_get_always(long count, bool basicGet, bool carried)
    {
        Assert.Equal(carried, DeliveryCountHeader.IsCarried(count, basicGet));
    }
}
