using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class QueueDeclarationRulesTests
{
    /// <summary>queue.declare of x-queue-type=quorum on the reference broker with these flags (the reply text after "PRECONDITION_FAILED - ").</summary>
    [Theory]
    [InlineData(false, false, false, "invalid property 'non-durable' for queue 'qf' in vhost '/'")]
    [InlineData(true, true, false, "invalid property 'exclusive-owner' for queue 'qf' in vhost '/'")]
    [InlineData(true, false, true, "invalid property 'auto-delete' for queue 'qf' in vhost '/'")]
    [InlineData(false, true, true, "invalid property 'auto-delete' for queue 'qf' in vhost '/'")]
    [InlineData(true, false, false, null)]
    public void Quorum_queues_must_be_durable_not_exclusive_and_not_auto_delete(bool durable, bool exclusive, bool autoDelete, string? expected)
    {
        Assert.Equal(expected, QueueDeclarationRules.FindPropertyError(QueueType.Quorum, "/", "qf", durable, exclusive, autoDelete));
    }

    [Fact]
    public void Classic_queues_may_be_anything()
    {
        Assert.Null(QueueDeclarationRules.FindPropertyError(QueueType.Classic, "/", "q", false, true, true));
    }

    /// <summary>Observed: queue.declare with an empty name and x-queue-type=quorum.</summary>
    [Fact]
    public void Only_classic_queues_may_be_server_named()
    {
        Assert.Equal("Cannot declare a server-named queue for type rabbit_quorum_queue", QueueDeclarationRules.FindServerNamedError(QueueType.Quorum));
        Assert.Null(QueueDeclarationRules.FindServerNamedError(QueueType.Classic));
    }

    [Fact]
    public void ValidateProperties_throws_precondition_failed()
    {
        var exception = Assert.Throws<BrokerException>(() => QueueDeclarationRules.ValidateProperties(QueueType.Quorum, "/", "q", false, false, false));

        Assert.Equal("PRECONDITION_FAILED - invalid property 'non-durable' for queue 'q' in vhost '/'", exception.ReplyText);
    }
}
