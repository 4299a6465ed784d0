using System.Collections.Concurrent;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>Publisher confirms: every publish acked, tags count up by one, returns precede acks.</summary>
public sealed class PublisherConfirmTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public PublisherConfirmTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    private static CreateChannelOptions Tracked => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private static CreateChannelOptions Untracked => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false);

    /// <summary>Records basic.ack / basic.nack from the broker, expanding multiple=true into the tags it covers.</summary>
    private sealed class ConfirmLog
    {
        private readonly object _gate = new();
        private readonly List<ulong> _acked = [];
        private readonly List<ulong> _nacked = [];
        private ulong _highest;

        public ConfirmLog(IChannel ch)
        {
            ch.BasicAcksAsync += (_, e) =>
            {
                Record(e.DeliveryTag, e.Multiple, _acked);
                return Task.CompletedTask;
            };
            ch.BasicNacksAsync += (_, e) =>
            {
                Record(e.DeliveryTag, e.Multiple, _nacked);
                return Task.CompletedTask;
            };
        }

        public List<ulong> Acked
        {
            get
            {
                lock (_gate)
                {
                    return [.. _acked];
                }
            }
        }

        public List<ulong> Nacked
        {
            get
            {
                lock (_gate)
                {
                    return [.. _nacked];
                }
            }
        }

        public async Task WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (Acked.Count + Nacked.Count < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.Equal(count, Acked.Count + Nacked.Count);
        }

        private void Record(ulong tag, bool multiple, List<ulong> into)
        {
            lock (_gate)
            {
                if (multiple)
                {
                    for (var t = _highest + 1; t <= tag; t++)
                    {
                        if (!_acked.Contains(t) && !_nacked.Contains(t))
                        {
                            into.Add(t);
                        }
                    }
                }
                else
                {
                    into.Add(tag);
                }

                _highest = Math.Max(_highest, tag);
            }
        }
    }

    [Fact]
    public async Task Every_tracked_publish_completes_once_confirmed()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Tracked);
        var q = await DeclareQueueAsync(ch);

        for (var i = 0; i < 200; i++)
        {
            await ch.BasicPublishAsync(string.Empty, q, Utf8($"c{i}"));
        }

        // Each publish above returned only after its basic.ack, so all 200 are already enqueued.
        Assert.Equal(200u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Concurrent_tracked_publishes_all_complete()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Tracked);
        var q = await DeclareQueueAsync(ch);

        var pending = Enumerable.Range(0, 500).Select(i => ch.BasicPublishAsync(string.Empty, q, Utf8($"c{i}")).AsTask()).ToList();
        await Task.WhenAll(pending).WaitAsync(Timeout);

        Assert.Equal(500u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Publish_sequence_numbers_start_at_one_and_count_up_by_one()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Tracked);
        var q = await DeclareQueueAsync(ch);

        var seen = new List<ulong>();
        for (var i = 0; i < 5; i++)
        {
            seen.Add(await ch.GetNextPublishSequenceNumberAsync());
            await ch.BasicPublishAsync(string.Empty, q, Utf8("x"));
        }

        Assert.Equal([1UL, 2, 3, 4, 5], seen);
        Assert.Equal(6UL, await ch.GetNextPublishSequenceNumberAsync());
    }

    [Fact]
    public async Task Broker_acks_cover_every_delivery_tag_exactly_once()
    {
        const int count = 300;
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Untracked);
        var log = new ConfirmLog(ch);
        var q = await DeclareQueueAsync(ch);

        for (var i = 0; i < count; i++)
        {
            await ch.BasicPublishAsync(string.Empty, q, Utf8($"c{i}"));
        }

        await log.WaitForAsync(count);
        // Arrival order and batching (multiple=true) are the broker's choice; the covered set is not.
        Assert.Equal(Enumerable.Range(1, count).Select(i => (ulong)i), log.Acked.Order());
        Assert.Empty(log.Nacked);
    }

    [Fact]
    public async Task Each_channel_numbers_its_publishes_from_one()
    {
        await using var conn = await ConnectAsync();
        await using var ch1 = await conn.CreateChannelAsync(Untracked);
        await using var ch2 = await conn.CreateChannelAsync(Untracked);
        var log1 = new ConfirmLog(ch1);
        var log2 = new ConfirmLog(ch2);
        var q = await DeclareQueueAsync(ch1);

        await PublishTextsAsync(ch1, q, "a", "b", "c");
        await PublishTextsAsync(ch2, q, "d", "e");

        await log1.WaitForAsync(3);
        await log2.WaitForAsync(2);
        Assert.Equal([1UL, 2, 3], log1.Acked.Order().ToList());
        Assert.Equal([1UL, 2], log2.Acked.Order().ToList());
    }

    [Fact]
    public async Task Unroutable_publish_without_mandatory_is_still_acked()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Untracked);
        var log = new ConfirmLog(ch);
        var returned = 0;
        ch.BasicReturnAsync += (_, _) =>
        {
            Interlocked.Increment(ref returned);
            return Task.CompletedTask;
        };

        await ch.BasicPublishAsync("amq.direct", BrokerFixture.UniqueName("nowhere"), Utf8("lost"));

        await log.WaitForAsync(1);
        Assert.Equal([1UL], log.Acked);
        Assert.Equal(0, Volatile.Read(ref returned));
    }

    [Fact]
    public async Task Mandatory_unroutable_publish_is_returned_and_then_acked()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Untracked);
        var events = new ConcurrentQueue<string>();
        var returned = new TaskCompletionSource<(BasicReturnEventArgs Args, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        ch.BasicReturnAsync += (_, e) =>
        {
            events.Enqueue("return");
            returned.TrySetResult((e, e.Body.ToArray())); // the body buffer is only valid inside the handler
            return Task.CompletedTask;
        };
        ch.BasicAcksAsync += (_, e) =>
        {
            events.Enqueue($"ack {e.DeliveryTag}");
            return Task.CompletedTask;
        };
        var rk = BrokerFixture.UniqueName("nowhere");

        await ch.BasicPublishAsync("amq.direct", rk, mandatory: true, new BasicProperties { MessageId = "m-1" }, Utf8("bounce"));

        var (r, body) = await returned.Task.WaitAsync(Timeout);
        Assert.Equal(312, r.ReplyCode);
        Assert.Equal("NO_ROUTE", r.ReplyText);
        Assert.Equal("amq.direct", r.Exchange);
        Assert.Equal(rk, r.RoutingKey);
        Assert.Equal("m-1", r.BasicProperties.MessageId);
        Assert.Equal(Utf8("bounce"), body);
        var deadline = DateTime.UtcNow + Timeout;
        while (events.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(["return", "ack 1"], events);
    }

    [Fact]
    public async Task Tracked_mandatory_unroutable_publish_fails_with_a_return_publish_exception()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Tracked);
        var q = await DeclareQueueAsync(ch);

        var ex = await Assert.ThrowsAsync<PublishException>(() =>
            ch.BasicPublishAsync("amq.direct", BrokerFixture.UniqueName("nowhere"), mandatory: true, new BasicProperties(), Utf8("x")).AsTask());

        Assert.True(ex.IsReturn);
        Assert.Equal(1UL, ex.PublishSequenceNumber);
        // The channel carries on; the next publish has the next number and is confirmed.
        Assert.Equal(2UL, await ch.GetNextPublishSequenceNumberAsync());
        await ch.BasicPublishAsync(string.Empty, q, mandatory: true, new BasicProperties(), Utf8("routable"));
        Assert.Equal(1u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Mixed_routable_and_returned_publishes_share_one_tag_sequence()
    {
        await using var raw = await OpenRawAsync();
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await raw.SendAsync(Frames.ConfirmSelect(1));
        await raw.ExpectMethodAsync(1, 85, 11);

        await raw.SendAsync(Frames.Publish(1, string.Empty, q, Utf8("one"), mandatory: true));
        await raw.SendAsync(Frames.Publish(1, string.Empty, BrokerFixture.UniqueName("nowhere"), Utf8("two"), mandatory: true));
        await raw.SendAsync(Frames.Publish(1, string.Empty, q, Utf8("three"), mandatory: true));

        // RabbitMQ does not confirm in tag order here: the returned message is settled at once (ack 2),
        // the routed ones after their queue has them (ack 3 multiple=true). Only the set, and return-before-ack,
        // are guaranteed.
        var confirmed = new SortedSet<ulong>();
        var returnSeenBeforeAckOf2 = false;
        var returnSeen = false;
        while (confirmed.Count < 3)
        {
            var m = await raw.ReadNonHeartbeatAsync();
            if (m.Is(60, 50))
            {
                var r = m.Args();
                Assert.Equal(312, r.Short());
                Assert.Equal("NO_ROUTE", r.ShortStr());
                Assert.Equal(string.Empty, r.ShortStr());
                Assert.Equal("two", System.Text.Encoding.UTF8.GetString(await raw.ReadContentAsync(1)));
                returnSeen = true;
                continue;
            }

            Assert.True(m.Is(60, 80), $"expected basic.ack, got {m}");
            var a = m.Args();
            var tag = a.LongLong();
            var multiple = (a.Octet() & 1) != 0;
            var covered = multiple ? Enumerable.Range(1, (int)tag).Select(t => (ulong)t).Where(t => !confirmed.Contains(t)).ToList() : [tag];
            Assert.NotEmpty(covered);
            foreach (var t in covered)
            {
                Assert.True(confirmed.Add(t), $"tag {t} confirmed twice");
                if (t == 2)
                {
                    returnSeenBeforeAckOf2 = returnSeen;
                }
            }
        }

        Assert.Equal([1UL, 2, 3], confirmed);
        Assert.True(returnSeenBeforeAckOf2, "basic.return must precede the basic.ack of the returned message");
        Assert.Equal(2u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Confirm_select_is_idempotent()
    {
        await using var raw = await OpenRawAsync();

        await raw.SendAsync(Frames.ConfirmSelect(1));
        await raw.ExpectMethodAsync(1, 85, 11);
        await raw.SendAsync(Frames.ConfirmSelect(1));
        await raw.ExpectMethodAsync(1, 85, 11);
    }

    [Fact]
    public async Task Persistent_publishes_to_a_durable_queue_are_confirmed()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Tracked);
        var q = BrokerFixture.UniqueName("durable");
        await ch.QueueDeclareAsync(q, durable: true, exclusive: false, autoDelete: false);
        DeleteAfterTest(q);

        for (var i = 0; i < 20; i++)
        {
            await ch.BasicPublishAsync(string.Empty, q, false, new BasicProperties { Persistent = true }, Utf8($"p{i}"));
        }

        Assert.Equal(20u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
        var got = await GetAsync(ch, q, autoAck: true);
        Assert.Equal(DeliveryModes.Persistent, got.BasicProperties.DeliveryMode);
    }

    [Fact]
    public async Task Tracked_publish_to_a_missing_exchange_fails_with_the_channel_close()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Tracked);
        var exchange = BrokerFixture.UniqueName("no-such-exchange");

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicPublishAsync(exchange, "rk", Utf8("x")).AsTask());

        AssertReason(reason, 404, $"NOT_FOUND - no exchange '{exchange}' in vhost '/'", 60, 40);
        Assert.True(conn.IsOpen);
    }
}
