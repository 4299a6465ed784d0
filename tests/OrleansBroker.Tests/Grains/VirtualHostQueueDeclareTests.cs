using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.BrokerExceptionAssert;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// queue.declare through the virtual host: creation, passive declare, and RabbitMQ's equivalence rule on redeclare,
/// with the reply texts the integration tests checked against RabbitMQ (Integration/Topology/QueueDeclareTests).
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class VirtualHostQueueDeclareTests(OneSiloCluster cluster)
{
    private const string Connection = "connection-1";

    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IVirtualHostGrain VirtualHost => cluster.Client.GetGrain<IVirtualHostGrain>(_vhost);

    [Fact]
    public async Task Redeclaring_an_equivalent_queue_reports_its_counts()
    {
        Assert.Equal(new QueueDeclareResult("q", 0, 0), await DeclareAsync("q"));
        await cluster.Client.GetGrain<IQueueGrain>(GrainKeys.Queue(_vhost, "q")).Enqueue(TransientBatch("m1", "m2"));

        Assert.Equal(new QueueDeclareResult("q", 2, 0), await DeclareAsync("q"));
        Assert.Equal(new QueueDeclareResult("q", 2, 0), await VirtualHost.DeclareQueue(Queue("q"), passive: true, Connection, clientNode: null));
    }

    [Fact]
    public async Task An_empty_name_gets_a_server_generated_one()
    {
        var declared = await DeclareAsync("");

        Assert.StartsWith("amq.gen-", declared.Queue, StringComparison.Ordinal);
        Assert.Equal(declared, await VirtualHost.DeclareQueue(Queue(declared.Queue), passive: true, Connection, clientNode: null));
        Assert.NotEqual(declared.Queue, (await DeclareAsync("")).Queue);
    }

    [Fact]
    public async Task Passive_declare_of_a_missing_queue_is_404() =>
        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no queue 'missing' in vhost '{_vhost}'",
            () => VirtualHost.DeclareQueue(Queue("missing"), passive: true, Connection, clientNode: null));

    [Fact]
    public async Task A_name_with_the_reserved_prefix_is_403() =>
        await RefusedAsync(ReplyCode.AccessRefused, "ACCESS_REFUSED - queue name 'amq.q' contains reserved prefix 'amq.*'",
            () => VirtualHost.DeclareQueue(Queue("amq.q"), passive: false, Connection, clientNode: null));

    [Fact]
    public async Task Redeclare_with_different_durable_is_406()
    {
        await DeclareAsync("q");

        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in vhost '{_vhost}': received 'true' but current is 'false'",
            () => VirtualHost.DeclareQueue(Queue("q", durable: true), passive: false, Connection, clientNode: null));
    }

    [Fact]
    public async Task Redeclare_with_different_auto_delete_is_406()
    {
        await DeclareAsync("q");

        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue 'q' in vhost '{_vhost}': received 'true' but current is 'false'",
            () => VirtualHost.DeclareQueue(Queue("q", autoDelete: true), passive: false, Connection, clientNode: null));
    }

    [Fact]
    public async Task Redeclare_with_a_different_argument_value_is_406()
    {
        await DeclareAsync("q", Arguments.Of(("x-message-ttl", 1000)));

        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '{_vhost}': received '2000' but current is '1000'",
            () => VirtualHost.DeclareQueue(Queue("q", arguments: Arguments.Of(("x-message-ttl", 2000))), passive: false, Connection, clientNode: null));
    }

    [Fact]
    public async Task Redeclare_without_an_argument_is_406()
    {
        await DeclareAsync("q", Arguments.Of(("x-max-length", 10)));

        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'q' in vhost '{_vhost}': received none but current is the value '10' of type 'signedint'",
            () => VirtualHost.DeclareQueue(Queue("q"), passive: false, Connection, clientNode: null));
    }

    [Fact]
    public async Task Redeclare_adding_an_argument_is_406()
    {
        await DeclareAsync("q");

        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'q' in vhost '{_vhost}': received the value '10' of type 'signedint' but current is none",
            () => VirtualHost.DeclareQueue(Queue("q", arguments: Arguments.Of(("x-max-length", 10))), passive: false, Connection, clientNode: null));
    }

    [Fact]
    public async Task The_same_number_as_another_integer_type_is_equivalent()
    {
        await DeclareAsync("q", Arguments.Of(("x-max-length", 10)));

        Assert.Equal(new QueueDeclareResult("q", 0, 0), await DeclareAsync("q", Arguments.Of(("x-max-length", 10L))));
    }

    private ValueTask<QueueDeclareResult> DeclareAsync(string name, FieldTable? arguments = null) =>
        VirtualHost.DeclareQueue(Queue(name, arguments: arguments), passive: false, Connection, clientNode: null);

    private static QueueDeclaration Queue(string name, bool durable = false, bool autoDelete = false, FieldTable? arguments = null) =>
        new(name, durable, Exclusive: false, autoDelete, arguments ?? FieldTable.Empty);
}
