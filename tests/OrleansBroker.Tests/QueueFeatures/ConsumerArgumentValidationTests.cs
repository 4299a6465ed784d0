using OrleansBroker.Amqp;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class ConsumerArgumentValidationTests
{
    /// <summary>basic.consume on the reference broker: classic queue cq1, quorum queue qq1 (reply text after "PRECONDITION_FAILED - ").</summary>
    [Theory]
    [InlineData(QueueType.Classic, "cq1", "x-priority", "x", "invalid arg 'x-priority' for queue 'cq1' in vhost '/': \"expected integer, got longstr\"")]
    [InlineData(QueueType.Classic, "cq1", "x-priority", -5, null)]
    [InlineData(QueueType.Classic, "cq1", "x-cancel-on-ha-failover", 1, "invalid arg 'x-cancel-on-ha-failover' for queue 'cq1' in vhost '/': {unacceptable_type,signedint}")]
    [InlineData(QueueType.Classic, "cq1", "x-stream-offset", 1, "invalid arg 'x-stream-offset' for queue 'cq1' in vhost '/' of queue type rabbit_classic_queue")]
    [InlineData(QueueType.Quorum, "qq1", "x-cancel-on-ha-failover", true, "invalid arg 'x-cancel-on-ha-failover' for queue 'qq1' in vhost '/' of queue type rabbit_quorum_queue")]
    [InlineData(QueueType.Quorum, "qq1", "x-priority", true, "invalid arg 'x-priority' for queue 'qq1' in vhost '/': \"expected integer, got bool\"")]
    [InlineData(QueueType.Classic, "cq1", "x-foo", 1, null)]
    public void Checks_consumer_arguments_as_RabbitMQ_does(QueueType type, string queue, string key, object value, string? expected)
    {
        Assert.Equal(expected, ConsumerArgumentValidation.FindError(type, "/", queue, new FieldTable([new(key, value)])));
    }

    /// <summary>Observed: {"x-stream-offset": 1, "x-priority": "x"} reports x-priority: values are checked before foreign keys.</summary>
    [Fact]
    public void Checks_values_before_arguments_of_other_types()
    {
        var arguments = new FieldTable([new("x-stream-offset", 1), new("x-priority", "x")]);

        Assert.Equal(
            "invalid arg 'x-priority' for queue 'cq1' in vhost '/': \"expected integer, got longstr\"",
            ConsumerArgumentValidation.FindError(QueueType.Classic, "/", "cq1", arguments));
    }

    [Fact]
    public void Priority_is_x_priority_or_zero()
    {
        Assert.Equal(-5, ConsumerArgumentValidation.Priority(new FieldTable([new("x-priority", (short)-5)])));
        Assert.Equal(0, ConsumerArgumentValidation.Priority(FieldTable.Empty));
    }
}
