using OrleansBroker.Amqp;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class SenderSelectedDistributionTests
{
    /// <summary>Texts observed on the reference broker for basic.publish with these headers.</summary>
    [Theory]
    [InlineData("CC", "invalid message: {unacceptable_type_in_header,\"CC\",longstr}")]
    [InlineData("BCC", "invalid message: {unacceptable_type_in_header,\"BCC\",longstr}")]
    public void A_routing_header_that_is_not_an_array_is_refused(string header, string expected)
    {
        Assert.Equal(expected, SenderSelectedDistribution.FindError(new FieldTable([new(header, "k2")])));
    }

    [Fact]
    public void BCC_of_another_type_is_named_by_its_type()
    {
        // Observed: {"BCC": 5} from pika (a signed 32-bit integer).
        Assert.Equal("invalid message: {unacceptable_type_in_header,\"BCC\",signedint}", SenderSelectedDistribution.FindError(new FieldTable([new("BCC", 5)])));
    }

    [Fact]
    public void CC_is_checked_before_BCC()
    {
        // Observed: {"CC": [], "BCC": "x"} names BCC, so an empty CC array is fine and BCC is checked after it.
        Assert.Null(SenderSelectedDistribution.FindError(new FieldTable([new("CC", Array.Empty<object?>())])));
        Assert.Equal(
            "invalid message: {unacceptable_type_in_header,\"CC\",signedint}",
            SenderSelectedDistribution.FindError(new FieldTable([new("BCC", "x"), new("CC", 1)])));
    }

    [Fact]
    public void Routing_keys_are_the_routing_key_then_CC_then_BCC_skipping_elements_that_are_not_strings()
    {
        // Observed: {"CC": ["k2", 5, "k3"]} is accepted.
        var headers = new FieldTable([new("BCC", new object?[] { "b1" }), new("CC", new object?[] { "k2", 5, "k3" })]);

        Assert.Equal(["k1", "k2", "k3", "b1"], SenderSelectedDistribution.RoutingKeys("k1", headers));
    }

    [Fact]
    public void BCC_is_removed_and_the_other_headers_keep_their_order()
    {
        var properties = BasicPropertiesWriter.ToArray(new MessageProperties
        {
            Headers = new FieldTable([new("z", 1), new("BCC", new object?[] { "b" }), new("a", 2)]),
            MessageId = "m",
        });

        var stripped = SenderSelectedDistribution.WithoutBlindCarbonCopy(properties);

        var read = BasicPropertiesReader.Read(Assert.IsType<byte[]>(stripped));
        Assert.Equal(["z", "a"], read.Headers!.Select(h => h.Key));
        Assert.Equal("m", read.MessageId);
    }

    [Fact]
    public void Properties_without_BCC_are_left_alone()
    {
        var properties = BasicPropertiesWriter.ToArray(new MessageProperties { Headers = new FieldTable([new("CC", new object?[] { "c" })]) });

        Assert.Null(SenderSelectedDistribution.WithoutBlindCarbonCopy(properties));
        Assert.Null(SenderSelectedDistribution.WithoutBlindCarbonCopy(BasicPropertiesWriter.ToArray(new MessageProperties())));
    }
}
