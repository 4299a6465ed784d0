using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace OrleansBroker.Tests.Integration.Cluster;

/// <summary>
/// A gateway-only node (src/Gateway, an Orleans client) in front of two silos serves AMQP as a silo's gateway does;
/// killed with SIGKILL, it loses no confirmed message: the cluster notices its lease ran out, requeues what its
/// consumers held unacked (redelivered) and deletes the exclusive queues of its connections.
/// </summary>
public sealed class GatewayNodeTests(ITestOutputHelper output)
{
    /// <summary>The lease term (12 s) and its check, with room for a loaded machine.</summary>
    private static readonly TimeSpan ReleaseBound = TimeSpan.FromSeconds(40);

    [PostgresFact]
    public async Task A_killed_gateway_node_loses_no_confirmed_message_and_its_unacked_deliveries_come_back_redelivered()
    {
        await using var cluster = await ThreeNodeCluster.StartAsync(nodeCount: 2);
        await using var gateway = await BrokerProcess.StartGatewayNodeAsync(cluster.ConnectionString);
        var queue = BrokerFixture.UniqueName("gw-node-q");
        const int Published = 200;
        const int Acked = 10;
        const int Prefetch = 50;

        var viaGateway = await new ConnectionFactory { HostName = "127.0.0.1", Port = gateway.Port, AutomaticRecoveryEnabled = false }
            .CreateConnectionAsync("gateway-node-test");
        string exclusive;
        var deliveries = new ConcurrentQueue<(ulong Tag, bool Redelivered, string Body)>();
        await using (var publish = await viaGateway.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await publish.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            exclusive = (await publish.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: false)).QueueName;
            for (var i = 0; i < Published; i++)
            {
                // Each publish completes with its confirm (a nack or a return would throw).
                await publish.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes($"m{i}"));
            }
        }

        var consume = await viaGateway.CreateChannelAsync();
        await consume.BasicQosAsync(0, Prefetch, global: false);
        var consumer = new AsyncEventingBasicConsumer(consume);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // The body's memory is the client's only during the handler.
            deliveries.Enqueue((delivery.DeliveryTag, delivery.Redelivered, Encoding.UTF8.GetString(delivery.Body.Span)));
            return Task.CompletedTask;
        };
        await consume.BasicConsumeAsync(queue, autoAck: false, consumer);
        await WaitForAsync(() => deliveries.Count >= Prefetch, "the consumer's prefetch of deliveries through the gateway node");
        var first = deliveries.ToArray();
        Assert.Equal(Prefetch, first.Length);
        Assert.All(first, d => Assert.False(d.Redelivered));
        foreach (var delivery in first.Take(Acked))
        {
            await consume.BasicAckAsync(delivery.Tag, multiple: false);
        }

        // The 10 acks free room for 10 more deliveries: 60 delivered in all, 50 of them unacked, 140 ready.
        await WaitForAsync(() => deliveries.Count >= Prefetch + Acked, "the deliveries the acks made room for");
        await using var viaSilo = await cluster.ConnectAsync(0);
        await WaitForAsync(async () => await MessageCountAsync(viaSilo, queue) == Published - Prefetch - Acked, "the publishes and deliveries through the gateway node, seen by a silo");
        var delivered = deliveries.ToArray();
        Assert.Equal(Prefetch + Acked, delivered.Length);

        await gateway.KillAsync();
        var killed = Stopwatch.StartNew();

        // Through a silo: the unacked 50 are back, and the exclusive queue of the dead gateway's connection is gone.
        await WaitForAsync(async () => await MessageCountAsync(viaSilo, queue) == Published - Acked, "the gateway node's unacked deliveries requeued", ReleaseBound);
        var requeuedAfter = killed.Elapsed;
        await WaitForAsync(async () => await MessageCountAsync(viaSilo, exclusive) is null, "the gateway node's exclusive queue deleted", ReleaseBound);
        Assert.True(requeuedAfter < ReleaseBound, $"requeued after {requeuedAfter}");
        output.WriteLine($"unacked deliveries requeued {requeuedAfter.TotalSeconds:F1} s after the gateway node's SIGKILL");

        await using var get = await viaSilo.CreateChannelAsync();
        var unacked = delivered.Skip(Acked).Select(d => d.Body).ToHashSet();
        Assert.Equal(Prefetch, unacked.Count);
        var remaining = new List<string>();
        for (var i = 0; i < Published - Acked; i++)
        {
            var message = await get.BasicGetAsync(queue, autoAck: true);
            Assert.NotNull(message);
            var body = Encoding.UTF8.GetString(message.Body.Span);
            Assert.Equal(unacked.Contains(body), message.Redelivered);
            remaining.Add(body);
        }

        Assert.Null(await get.BasicGetAsync(queue, autoAck: true));
        var acked = first.Take(Acked).Select(d => d.Body);
        Assert.Equal(Enumerable.Range(0, Published).Select(i => $"m{i}").Order(), remaining.Concat(acked).Order());
    }

    [Fact]
    public async Task A_gateway_node_without_a_cluster_or_with_a_silo_s_switch_does_not_start()
    {
        var noCluster = await BrokerCommand.RunGatewayNodeAsync("--amqp-port", "0");
        Assert.Equal(1, noCluster.ExitCode);
        Assert.Contains("a gateway node needs --cluster CONNSTR", noCluster.StandardError, StringComparison.Ordinal);

        var siloSwitch = await BrokerCommand.RunGatewayNodeAsync("--cluster", "Host=127.0.0.1", "--data-dir", "/tmp/x");
        Assert.Equal(1, siloSwitch.ExitCode);
        Assert.Contains("unknown switch '--data-dir'; known switches: --amqp-port, --bind, --config, --rabbitmq-conf, --cluster", siloSwitch.StandardError, StringComparison.Ordinal);
    }

    /// <summary>Ready messages of a queue as a passive declare through a silo reports them; null once it does not exist.</summary>
    private static async Task<uint?> MessageCountAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {bound ?? TimeSpan.FromSeconds(60)}: {what}");
            }

            await Task.Delay(200);
        }
    }
}
