using System.Text;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.Integration.Cluster;

/// <summary>
/// Three broker processes form one broker: any node's AMQP port serves every exchange, queue and binding; a topology
/// change is cluster-wide before its -ok; a queue lives on its home node, and while that node is down the others
/// answer as RabbitMQ 3.10 does (docs/cluster-behaviour.md) until it is back with every confirmed message.
/// </summary>
public sealed class ClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [PostgresFact]
    public async Task Any_node_serves_the_cluster_and_a_binding_routes_everywhere_before_its_ok()
    {
        await using var cluster = await ThreeNodeCluster.StartAsync();
        await using var a = await cluster.ConnectAsync(0);
        await using var b = await cluster.ConnectAsync(1);
        await using var c = await cluster.ConnectAsync(2);
        var exchange = BrokerFixture.UniqueName("cluster-x");
        var queue = BrokerFixture.UniqueName("cluster-q");

        await using var onA = await a.CreateChannelAsync();
        await onA.ExchangeDeclareAsync(exchange, ExchangeType.Direct, durable: true);
        await onA.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await onA.QueueBindAsync(queue, exchange, "k");

        // Straight after bind-ok on A, a mandatory publish through B is routed by that binding (a return would throw).
        await using var onB = await b.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        for (var i = 0; i < 20; i++)
        {
            await onB.BasicPublishAsync(exchange, "k", mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes($"m{i}"));
        }

        await using var onC = await c.CreateChannelAsync();
        var received = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var get = await onC.BasicGetAsync(queue, autoAck: true);
            Assert.NotNull(get);
            received.Add(Encoding.UTF8.GetString(get.Body.Span));
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), received);

        // An exclusive queue declared through A is locked through B.
        var exclusive = await onA.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: false);
        await using var onB2 = await b.CreateChannelAsync();
        var locked = await Assert.ThrowsAsync<OperationInterruptedException>(() => onB2.QueueDeclarePassiveAsync(exclusive.QueueName));
        Assert.Equal(405, locked.ShutdownReason!.ReplyCode);

        // An unbind through C stops routing through A at once.
        await onC.QueueUnbindAsync(queue, exchange, "k");
        await using var onA2 = await a.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var returned = await Assert.ThrowsAsync<PublishException>(async () =>
            await onA2.BasicPublishAsync(exchange, "k", mandatory: true, new BasicProperties(), Encoding.UTF8.GetBytes("nowhere")));
        Assert.True(returned.IsReturn);
    }

    [PostgresFact]
    public async Task A_killed_node_s_durable_queue_is_404_elsewhere_and_comes_back_with_every_confirmed_message()
    {
        await using var cluster = await ThreeNodeCluster.StartAsync();
        var onNode1 = BrokerFixture.UniqueName("home-node1");
        var onNode0 = BrokerFixture.UniqueName("home-node0");
        const int Confirmed = 50;

        await using (var b = await cluster.ConnectAsync(1))
        await using (var channel = await b.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            // Declared through node 1: client-local, so its home is node 1.
            await channel.QueueDeclareAsync(onNode1, durable: true, exclusive: false, autoDelete: false);
            for (var i = 0; i < Confirmed; i++)
            {
                await channel.BasicPublishAsync(string.Empty, onNode1, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes($"m{i}"));
            }
        }

        await using var a = await cluster.ConnectAsync(0);
        await using (var channel = await a.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.QueueDeclareAsync(onNode0, durable: true, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync(string.Empty, onNode0, mandatory: true, new BasicProperties(), Encoding.UTF8.GetBytes("still here"));
        }

        await cluster.KillAsync(1);

        // Through node 0: RabbitMQ's 404 for a durable queue whose home node is down.
        var expected = $"NOT_FOUND - home node '{ThreeNodeCluster.NodeName(1)}' of durable queue '{onNode1}' in vhost '/' is down or inaccessible";
        var reply = await EventuallyAsync(async () =>
        {
            await using var channel = await a.CreateChannelAsync();
            try
            {
                await channel.QueueDeclarePassiveAsync(onNode1);
                return null;
            }
            catch (OperationInterruptedException e)
            {
                return e.ShutdownReason;
            }
        });
        Assert.Equal(404, reply.ReplyCode);
        Assert.Equal(expected, reply.ReplyText);

        // Queues of the other nodes go on.
        await using (var channel = await a.CreateChannelAsync())
        {
            var get = await channel.BasicGetAsync(onNode0, autoAck: true);
            Assert.NotNull(get);
            Assert.Equal("still here", Encoding.UTF8.GetString(get.Body.Span));
        }

        await cluster.RestartAsync(1);

        await using var c = await cluster.ConnectAsync(2);
        var declared = await EventuallyAsync(async () =>
        {
            await using var channel = await c.CreateChannelAsync();
            try
            {
                return await channel.QueueDeclarePassiveAsync(onNode1);
            }
            catch (OperationInterruptedException)
            {
                return null;
            }
        });
        Assert.Equal((uint)Confirmed, declared.MessageCount);

        await using var consume = await c.CreateChannelAsync();
        for (var i = 0; i < Confirmed; i++)
        {
            var get = await consume.BasicGetAsync(onNode1, autoAck: true);
            Assert.NotNull(get);
            Assert.Equal($"m{i}", Encoding.UTF8.GetString(get.Body.Span));
        }
    }

    [PostgresFact]
    public async Task Deliveries_held_by_a_killed_node_s_consumer_come_back_redelivered()
    {
        await using var cluster = await ThreeNodeCluster.StartAsync();
        var queue = BrokerFixture.UniqueName("held");
        await using var a = await cluster.ConnectAsync(0);
        await using (var channel = await a.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            for (var i = 0; i < 10; i++)
            {
                await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes($"m{i}"));
            }
        }

        // A consumer on node 2 takes all ten and acks none (its connection is not disposed: its node is killed under it).
        var c = await cluster.ConnectAsync(2);
        var consuming = await c.CreateChannelAsync();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(consuming);
        consumer.ReceivedAsync += (_, _) =>
        {
            if (Interlocked.Increment(ref count) == 10)
            {
                held.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await consuming.BasicConsumeAsync(queue, autoAck: false, consumer);
        await held.Task.WaitAsync(Patience);

        await cluster.KillAsync(2);

        // Once node 2 is known dead, the queue (on node 0) gives them to others, marked redelivered.
        await using var b = await cluster.ConnectAsync(1);
        await using var getting = await b.CreateChannelAsync();
        var redelivered = new List<string>();
        var deadline = DateTime.UtcNow + Patience;
        while (redelivered.Count < 10 && DateTime.UtcNow < deadline)
        {
            if (await getting.BasicGetAsync(queue, autoAck: true) is { } get)
            {
                Assert.True(get.Redelivered);
                redelivered.Add(Encoding.UTF8.GetString(get.Body.Span));
            }
            else
            {
                await Task.Delay(200);
            }
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}"), redelivered);
    }

    /// <summary>Ask until the answer is not null, within <see cref="Patience"/>.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> ask)
        where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await ask() is { } answer)
            {
                return answer;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no answer within {Patience}");
            }

            await Task.Delay(200);
        }
    }
}
