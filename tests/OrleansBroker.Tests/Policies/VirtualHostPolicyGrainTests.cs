using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Tests.Grains;
using static OrleansBroker.Tests.Grains.BrokerExceptionAssert;

namespace OrleansBroker.Tests.Policies;

/// <summary>
/// The policy store as durable state of the virtual host grain: set, replace, list, clear, RabbitMQ's validation texts,
/// the refusal of classic-mirroring keys, survival of the grain's reactivation, and a policy's alternate exchange in
/// every node's routing (replicas on all three silos).
/// </summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class VirtualHostPolicyGrainTests(ThreeSiloCluster cluster)
{
    private const string Connection = "connection-1";

    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IVirtualHostGrain VirtualHost => cluster.Client.GetGrain<IVirtualHostGrain>(_vhost);

    [Fact]
    public async Task Policies_are_set_replaced_listed_by_priority_and_cleared()
    {
        await VirtualHost.SetPolicy(Policy("b", "^b", """{"max-length":3}""", priority: 1), PolicyKind.Policy);
        await VirtualHost.SetPolicy(Policy("a", "^a", """{"message-ttl":1000}""", priority: 1), PolicyKind.Policy);
        await VirtualHost.SetPolicy(Policy("z", ".*", """{"expires":60000}"""), PolicyKind.Policy);
        await VirtualHost.SetPolicy(Policy("cap", ".*", """{"max-length":100}"""), PolicyKind.OperatorPolicy);
        await VirtualHost.SetPolicy(Policy("b", "^bb", """{"max-length":4}""", priority: 1), PolicyKind.Policy);

        Assert.Equal(["z", "a", "b"], (await VirtualHost.GetPolicies(PolicyKind.Policy)).Select(p => p.Name));
        Assert.Equal("^bb", (await VirtualHost.GetPolicies(PolicyKind.Policy)).Single(p => p.Name == "b").Pattern);
        Assert.Equal(["cap"], (await VirtualHost.GetPolicies(PolicyKind.OperatorPolicy)).Select(p => p.Name));

        Assert.True(await VirtualHost.ClearPolicy("a", PolicyKind.Policy));
        Assert.False(await VirtualHost.ClearPolicy("a", PolicyKind.Policy));
        Assert.False(await VirtualHost.ClearPolicy("cap", PolicyKind.Policy));
        Assert.Equal(["z", "b"], (await VirtualHost.GetPolicies(PolicyKind.Policy)).Select(p => p.Name));
    }

    [Fact]
    public async Task A_policy_rabbitmq_refuses_is_406_with_its_validation_text()
    {
        await RefusedAsync(ReplyCode.PreconditionFailed, "PRECONDITION_FAILED - Validation failed\n\n-1 is not a valid message TTL\n",
            () => VirtualHost.SetPolicy(Policy("ttl", ".*", """{"message-ttl":-1}"""), PolicyKind.Policy));
        await RefusedAsync(ReplyCode.PreconditionFailed, "PRECONDITION_FAILED - Validation failed\n\n[{<<\"alternate-exchange\">>,<<\"ae\">>}] are not recognised policy settings\n",
            () => VirtualHost.SetPolicy(Policy("op", ".*", """{"alternate-exchange":"ae"}"""), PolicyKind.OperatorPolicy));
        Assert.Empty(await VirtualHost.GetPolicies(PolicyKind.Policy));
        Assert.Empty(await VirtualHost.GetPolicies(PolicyKind.OperatorPolicy));
    }

    [Theory]
    [InlineData("""{"ha-mode":"all"}""", "ha-mode")]
    [InlineData("""{"ha-mode":"exactly","ha-params":2,"ha-sync-mode":"automatic"}""", "ha-mode")]
    public async Task Classic_mirroring_keys_are_refused_pointing_to_quorum_queues(string definition, string key)
    {
        var refused = await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - Validation failed\n\n{PolicyDefinitionValidation.MirroringRefusal(key)}\n",
            () => VirtualHost.SetPolicy(Policy("ha", ".*", definition), PolicyKind.Policy));
        Assert.Contains("x-queue-type=quorum", refused.Message);
    }

    [Fact]
    public async Task Policies_survive_the_grain_s_reactivation()
    {
        await VirtualHost.SetPolicy(Policy("keep", "^q", """{"max-length":5,"dead-letter-exchange":"dlx"}""", priority: 7), PolicyKind.Policy);
        await VirtualHost.SetPolicy(Policy("cap", ".*", """{"message-ttl":60000}"""), PolicyKind.OperatorPolicy);

        await cluster.Cluster.DeactivateAsync(VirtualHost);

        var kept = Assert.Single(await VirtualHost.GetPolicies(PolicyKind.Policy));
        Assert.Equal(Policy("keep", "^q", """{"max-length":5,"dead-letter-exchange":"dlx"}""", priority: 7), kept);
        Assert.Equal("cap", Assert.Single(await VirtualHost.GetPolicies(PolicyKind.OperatorPolicy)).Name);
    }

    [Fact]
    public async Task A_policy_s_alternate_exchange_reaches_the_routing_of_every_node_and_the_argument_wins()
    {
        await VirtualHost.DeclareExchange(new ExchangeDeclaration("src", ExchangeTypes.Direct, false, false, false, FieldTable.Empty), passive: false);
        await VirtualHost.DeclareExchange(new ExchangeDeclaration("own", ExchangeTypes.Direct, false, false, false,
            new FieldTable([new("alternate-exchange", "own-ae")])), passive: false);
        foreach (var (exchange, queue) in new[] { ("ae", "caught"), ("own-ae", "own-caught") })
        {
            await VirtualHost.DeclareExchange(new ExchangeDeclaration(exchange, ExchangeTypes.Fanout, false, false, false, FieldTable.Empty), passive: false);
            await VirtualHost.DeclareQueue(new QueueDeclaration(queue, false, false, false, FieldTable.Empty), passive: false, Connection, clientNode: null);
            await VirtualHost.Bind(new Binding(exchange, BindingDestination.Queue(queue), string.Empty, FieldTable.Empty), Connection);
        }

        foreach (var silo in cluster.Silos)
        {
            await BrokerCluster.RoutingReplicasOf(silo).EnsureSubscribedAsync(_vhost);
        }

        await VirtualHost.SetPolicy(Policy("ae", ".*", """{"alternate-exchange":"ae"}""", applyTo: PolicyApplyTo.Exchanges), PolicyKind.Policy);
        foreach (var silo in cluster.Silos)
        {
            Assert.Equal(["caught"], RouteOn(silo, "src"));
            Assert.Equal(["own-caught"], RouteOn(silo, "own"));
        }

        // A new exchange gets it at declare; clearing the policy takes it away everywhere.
        await VirtualHost.DeclareExchange(new ExchangeDeclaration("late", ExchangeTypes.Topic, false, false, false, FieldTable.Empty), passive: false);
        Assert.Equal(["caught"], RouteOn(cluster.Silos[1], "late"));
        await VirtualHost.ClearPolicy("ae", PolicyKind.Policy);
        foreach (var silo in cluster.Silos)
        {
            Assert.Empty(RouteOn(silo, "src"));
            Assert.Equal(["own-caught"], RouteOn(silo, "own"));
        }
    }

    private List<string> RouteOn(Orleans.TestingHost.InProcessSiloHandle silo, string exchange)
    {
        var result = new RoutingResult();
        Assert.True(BrokerCluster.RoutingReplicasOf(silo).Table(_vhost).Route(exchange, PublishedMessages.Transient("m", "nowhere"), result));
        return result.Queues.ToList();
    }

    private Policy Policy(string name, string pattern, string definition, int priority = 0, PolicyApplyTo applyTo = PolicyApplyTo.All) =>
        new(_vhost, name, pattern, applyTo, priority, PolicyDefinition.ParseJson(definition));
}
