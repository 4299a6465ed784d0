using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.Integration.QueueFeatures;

/// <summary>x-max-length, x-max-length-bytes and x-overflow (drop-head, reject-publish, reject-publish-dlx).</summary>
public sealed class LengthLimitTests(BrokerFixture fixture) : QueueFeatureTestBase(fixture), IClassFixture<BrokerFixture>
{
    private static CreateChannelOptions Confirming => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    [Fact]
    public async Task Drop_head_keeps_the_newest_messages()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "maxlen", Args(("x-max-length", 3)));

        await PublishTextsAsync(ch, q, Texts("m", 5));

        await WaitForReadyCountAsync(ch, q, 3);
        Assert.Equal(["m2", "m3", "m4"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Max_length_bytes_counts_bodies()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "maxbytes", Args(("x-max-length-bytes", 10)));

        await PublishTextsAsync(ch, q, "aaaa", "bbbb", "cccc");

        await WaitForReadyCountAsync(ch, q, 2);
        Assert.Equal(["bbbb", "cccc"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Reject_publish_nacks_a_confirming_publisher()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "reject", Args(("x-max-length", 2), ("x-overflow", "reject-publish")));

        await PublishAsync(ch, q, "1");
        await PublishAsync(ch, q, "2");
        await Assert.ThrowsAsync<PublishException>(() => PublishAsync(ch, q, "3"));

        Assert.Equal(["1", "2"], await DrainAsync(ch, q));
        await PublishAsync(ch, q, "4");
        Assert.Equal(["4"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Reject_publish_drops_silently_without_confirms()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch, "reject", Args(("x-max-length", 1), ("x-overflow", "reject-publish")));

        await PublishTextsAsync(ch, q, "kept", "dropped");

        await Task.Delay(300);
        Assert.Equal(["kept"], await DrainAsync(ch, q));
        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task Reject_publish_dlx_nacks_and_dead_letters_the_refused_message()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var dead = await DeclareQueueAsync(ch, "dead");
        var q = await DeclareQueueAsync(ch, "reject", Args(
            ("x-max-length", 1), ("x-overflow", "reject-publish-dlx"), ("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", dead)));

        await PublishAsync(ch, q, "kept");
        await Assert.ThrowsAsync<PublishException>(() => PublishAsync(ch, q, "refused"));

        var result = await WaitForMessageAsync(ch, dead);
        Assert.Equal("refused", Text(result));
        Assert.Equal("maxlen", AsText(Assert.Single(Deaths(result.BasicProperties))["reason"]));
        Assert.Equal(["kept"], await DrainAsync(ch, q));
    }
}
