using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.BrokerExceptionAssert;
using static OrleansBroker.Tests.Grains.ChannelRequests;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// Queues the virtual host deletes on its own: a closed connection's exclusive queues, and an auto-delete queue
/// whose last consumer went (the channel reports it through QueueUnused).
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class VirtualHostCleanupTests(OneSiloCluster cluster)
{
    private const string Closing = "connection-closing";
    private const string Staying = "connection-staying";

    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    private IVirtualHostGrain VirtualHost => Grains.GetGrain<IVirtualHostGrain>(_vhost);

    [Fact]
    public async Task A_closed_connection_s_exclusive_queues_are_deleted_with_their_consumers_and_bindings()
    {
        await VirtualHost.DeclareExchange(new ExchangeDeclaration("x", "fanout", false, false, false, FieldTable.Empty), passive: false);
        await VirtualHost.DeclareQueue(Queue("owned", exclusive: true), passive: false, Closing, clientNode: null);
        await VirtualHost.DeclareQueue(Queue("shared"), passive: false, Closing, clientNode: null);
        await VirtualHost.DeclareQueue(Queue("other-owner", exclusive: true), passive: false, Staying, clientNode: null);
        await VirtualHost.Bind(new Binding("x", BindingDestination.Queue("owned"), "", FieldTable.Empty), Closing);
        var consumer = RecordingConsumer.Create(Grains);
        await QueueGrain("owned").Consume(Registration("ch", "ctag", credit: 10), consumer.Reference);

        await VirtualHost.ConnectionClosed(Closing);

        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no queue 'owned' in vhost '{_vhost}'",
            () => VirtualHost.DeclareQueue(Queue("owned", exclusive: true), passive: true, Closing, clientNode: null));
        Assert.Equal(new ConsumerCancellation("owned", "ctag", Delivered: 0), await consumer.WaitForCancellationAsync());
        Assert.Empty(await Grains.GetGrain<IExchangeGrain>(GrainKeys.Exchange(_vhost, "x")).GetBindings());
        await VirtualHost.DeclareQueue(Queue("shared"), passive: true, Staying, clientNode: null);
        await VirtualHost.DeclareQueue(Queue("other-owner", exclusive: true), passive: true, Staying, clientNode: null);
    }

    [Fact]
    public async Task An_unused_auto_delete_queue_is_deleted()
    {
        await VirtualHost.DeclareQueue(Queue("q", autoDelete: true), passive: false, Staying, clientNode: null);
        var consumer = RecordingConsumer.Create(Grains);
        await QueueGrain("q").Consume(Registration("ch", "ctag", credit: 10), consumer.Reference);
        var cancelled = await QueueGrain("q").Cancel("ch", "ctag");
        Assert.True(cancelled.LastConsumerOfAutoDeleteQueue);

        await VirtualHost.QueueUnused("q");

        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no queue 'q' in vhost '{_vhost}'",
            () => VirtualHost.DeclareQueue(Queue("q", autoDelete: true), passive: true, Staying, clientNode: null));
    }

    [Fact]
    public async Task An_auto_delete_queue_that_has_a_consumer_again_is_kept()
    {
        await VirtualHost.DeclareQueue(Queue("q", autoDelete: true), passive: false, Staying, clientNode: null);
        await QueueGrain("q").Consume(Registration("ch", "ctag", credit: 10), RecordingConsumer.Create(Grains).Reference);

        await VirtualHost.QueueUnused("q");

        Assert.Equal(new QueueDeclareResult("q", 0, 1), await VirtualHost.DeclareQueue(Queue("q", autoDelete: true), passive: true, Staying, clientNode: null));
    }

    [Fact]
    public async Task A_queue_that_is_not_auto_delete_is_kept()
    {
        await VirtualHost.DeclareQueue(Queue("q"), passive: false, Staying, clientNode: null);

        await VirtualHost.QueueUnused("q");

        Assert.Equal(new QueueDeclareResult("q", 0, 0), await VirtualHost.DeclareQueue(Queue("q"), passive: true, Staying, clientNode: null));
    }

    private IQueueGrain QueueGrain(string name) => Grains.GetGrain<IQueueGrain>(GrainKeys.Queue(_vhost, name));

    private static QueueDeclaration Queue(string name, bool exclusive = false, bool autoDelete = false) =>
        new(name, Durable: false, exclusive, autoDelete, FieldTable.Empty);
}
