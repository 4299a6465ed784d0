using System.Security.Cryptography;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Queues.Placement;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// The directory of one virtual host. Declarations, deletions and bindings are ordered here; the exchange grains
/// keep the bindings durably and this grain mirrors them in memory, with which sources bind to each destination, so a
/// deleted queue or exchange leaves no binding behind. It is also the source of every node's routing table: each
/// gateway subscribes a replica (<see cref="IRoutingObserver"/>), gets a snapshot, then every change, and a change's
/// -ok goes out only after every replica applied it. Checks and reply texts follow rabbit_channel / rabbit_amqqueue /
/// rabbit_exchange.
/// </summary>
[GrainType("vhost"), KeepAlive]
public sealed partial class VirtualHostGrain : Grain, IVirtualHostGrain
{
    /// <summary>The exchanges every RabbitMQ vhost has (the default exchange "" is implicit in the routing table).</summary>
    private static readonly (string Name, string Type, bool Internal)[] StandardExchanges =
    [
        ("amq.direct", "direct", false),
        ("amq.fanout", "fanout", false),
        ("amq.topic", "topic", false),
        ("amq.headers", "headers", false),
        ("amq.match", "headers", false),
        ("amq.rabbitmq.trace", "topic", true),
    ];

    private static readonly TimeSpan NodeCheckPeriod = TimeSpan.FromSeconds(2);

    /// <summary>How long a change waits for one replica before dropping it (it resubscribes when it notices).</summary>
    private static readonly TimeSpan ReplicaTimeout = TimeSpan.FromSeconds(5);

    private readonly IPersistentState<VirtualHostState> _state;
    private readonly ILogger<VirtualHostGrain> _logger;
    private readonly ClusterNodes _nodes;
    private readonly string _defaultLocator;
    private readonly Dictionary<string, HashSet<Binding>> _bindings = new(StringComparer.Ordinal);
    private readonly Dictionary<BindingDestination, HashSet<string>> _sourcesByDestination = new();
    private readonly Dictionary<GrainId, IRoutingObserver> _replicas = new();
    private readonly List<RoutingChange> _changes = new();
    private readonly HashSet<string> _downQueues = new(StringComparer.Ordinal);
    private readonly Guid _epoch = Guid.NewGuid();
    private long _version;
    private VirtualHostRecovery _recovery;

    public VirtualHostGrain(
        [PersistentState("vhost", GrainStorageNames.Broker)] IPersistentState<VirtualHostState> state,
        ClusterNodes nodes,
        IOptions<QueueOptions> queueOptions,
        ILogger<VirtualHostGrain> logger)
    {
        _state = state;
        _nodes = nodes;
        _defaultLocator = queueOptions.Value.LeaderLocator;
        _logger = logger;
        VirtualHost = this.GetPrimaryKeyString();
    }

    private string VirtualHost { get; }

    private Dictionary<string, ExchangeDeclaration> Exchanges => _state.State.Exchanges;

    private Dictionary<string, QueueRecord> Queues => _state.State.Queues;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!_state.State.Initialized)
        {
            foreach (var (name, type, isInternal) in StandardExchanges)
            {
                var declaration = new ExchangeDeclaration(name, type, Durable: true, AutoDelete: false, isInternal, FieldTable.Empty);
                Exchanges[name] = declaration;
                _bindings[name] = new HashSet<Binding>();
                await Exchange(name).Create(VirtualHost, declaration);
            }

            _state.State.Initialized = true;
            _state.State.Silos = ActiveSilos();
            await _state.WriteStateAsync();
            this.RegisterGrainTimer(CheckNodesAsync, new GrainTimerCreationOptions(NodeCheckPeriod, NodeCheckPeriod));
            return;
        }

        // An existing directory and a new activation: the broker restarted, or the directory moved because its node
        // failed. What RabbitMQ keeps over a restart is durable exchanges, durable non-exclusive queues and the bindings
        // between them; a transient or exclusive queue lives as long as its home node's run.
        var restarted = !_state.State.Silos.Any(s => _nodes.IsActive(SiloAddress.FromParsableString(s)));
        var dropped = 0;
        foreach (var (name, record) in Queues.Where(q => IsGoneWithItsNode(q.Value, restarted)).ToList())
        {
            await DeleteQueueOfAGoneNode(name);
            Queues.Remove(name);
            dropped++;
        }

        if (restarted)
        {
            foreach (var name in Exchanges.Where(e => !e.Value.Durable).Select(e => e.Key).ToList())
            {
                await Exchange(name).Delete();
                Exchanges.Remove(name);
                dropped++;
            }
        }

        foreach (var name in Exchanges.Keys)
        {
            _bindings[name] = new HashSet<Binding>();
            foreach (var binding in await Exchange(name).GetBindings())
            {
                var destinationExists = binding.Destination.Kind == DestinationKind.Queue
                    ? Queues.ContainsKey(binding.Destination.Name)
                    : Exchanges.ContainsKey(binding.Destination.Name);
                if (destinationExists)
                {
                    IndexBinding(binding);
                }
                else
                {
                    await Exchange(name).RemoveBindingsTo(binding.Destination);
                }
            }
        }

        _state.State.Silos = ActiveSilos();
        await _state.WriteStateAsync();
        NoteQueueAvailability();
        _changes.Clear(); // no replica has subscribed yet: the snapshot they get has it all
        this.RegisterGrainTimer(CheckNodesAsync, new GrainTimerCreationOptions(NodeCheckPeriod, NodeCheckPeriod));

        _recovery = new VirtualHostRecovery(Exchanges.Count, Queues.Count, 0, dropped);
    }

    public async ValueTask<VirtualHostRecovery> Start(string node)
    {
        // The node's queues come up now (a durable one recovers its messages when activated), not at the first publish.
        long messages = 0;
        var queues = 0;
        var started = new List<string>();
        foreach (var (name, record) in Queues.ToList())
        {
            if (record.HomeNode is null ? !_nodes.Clustered : string.Equals(record.HomeNode, node, StringComparison.Ordinal))
            {
                try
                {
                    messages += (await AtQueueAsync(name, static q => q.GetCounts())).MessageCount;
                    queues++;
                    started.Add(name);
                }
                catch (BrokerException e)
                {
                    _logger.LogWarning("queue '{Queue}' in vhost '{VirtualHost}' did not come up on node '{Node}': {Reason}", name, VirtualHost, node, e.Message);
                }
            }
        }

        // A queue keeps the policies it was told, but they may have changed while its node was down.
        await TellQueuesAsync(started, evenIfTold: true);
        return _recovery with { Exchanges = Exchanges.Count, Queues = queues, Messages = messages };
    }

    public ValueTask<RoutingSnapshot> SubscribeRouting(IRoutingObserver replica)
    {
        _replicas[replica.GetGrainId()] = replica;
        var exchanges = Exchanges.Values.Select(e => new ExchangeRoutes(RoutingDeclaration(e), _bindings[e.Name].ToArray())).ToArray();
        return ValueTask.FromResult(new RoutingSnapshot(_epoch, _version, exchanges, Queues.Keys.ToArray(), _downQueues.ToArray()));
    }

    public ValueTask UnsubscribeRouting(IRoutingObserver replica)
    {
        _replicas.Remove(replica.GetGrainId());
        return ValueTask.CompletedTask;
    }

    public ValueTask<RoutingVersion> GetRoutingVersion() => ValueTask.FromResult(new RoutingVersion(_epoch, _version));

    public ValueTask<string?> GetQueueHome(string name) => ValueTask.FromResult(Queues.TryGetValue(name, out var record) ? record.HomeNode : null);

    public async ValueTask DeclareExchange(ExchangeDeclaration declaration, bool passive)
    {
        var name = declaration.Name;
        if (name.Length == 0)
        {
            throw BrokerException.AccessRefused("operation not permitted on the default exchange");
        }

        if (passive)
        {
            _ = RequireExchange(name);
            return;
        }

        if (declaration.Type.Length == 0)
        {
            throw new BrokerException(ReplyCode.CommandInvalid, "invalid exchange type ''");
        }

        if (!ExchangeTypes.IsKnown(declaration.Type))
        {
            throw new BrokerException(ReplyCode.CommandInvalid, $"unknown exchange type '{declaration.Type}'");
        }

        if (Exchanges.TryGetValue(name, out var current))
        {
            var resource = ExchangeResource(name);
            Equivalence.AssertField(current.Type, declaration.Type, resource, "type");
            Equivalence.AssertField(current.Durable, declaration.Durable, resource, "durable");
            Equivalence.AssertField(current.AutoDelete, declaration.AutoDelete, resource, "auto_delete");
            Equivalence.AssertField(current.Internal, declaration.Internal, resource, "internal");
            Equivalence.AssertExchangeArguments(current.Arguments, declaration.Arguments, resource);
            return;
        }

        CheckName("exchange", name);
        Exchanges[name] = declaration;
        _bindings[name] = new HashSet<Binding>();
        _changes.Add(RoutingChange.ExchangeDeclared(RoutingDeclaration(declaration)));
        await Exchange(name).Create(VirtualHost, declaration);
        await _state.WriteStateAsync();
        await PublishChangesAsync();
    }

    public async ValueTask DeleteExchange(string name, bool ifUnused)
    {
        if (name.Length == 0)
        {
            throw BrokerException.AccessRefused("operation not permitted on the default exchange");
        }

        if (name.StartsWith("amq.", StringComparison.Ordinal))
        {
            throw BrokerException.AccessRefused($"deletion of system {ExchangeResource(name)} not allowed");
        }

        if (!Exchanges.ContainsKey(name))
        {
            return;
        }

        if (ifUnused && _bindings[name].Count > 0)
        {
            throw BrokerException.PreconditionFailed($"{ExchangeResource(name)} in use");
        }

        await RemoveExchange(name);
        await _state.WriteStateAsync();
        await PublishChangesAsync();
    }

    public async ValueTask<QueueDeclareResult> DeclareQueue(QueueDeclaration declaration, bool passive, string connectionId, string? clientNode)
    {
        if (passive)
        {
            var record = RequireQueue(declaration.Name);
            CheckExclusiveAccess(record, connectionId);
            var counts = await AtQueueAsync(declaration.Name, static q => q.GetCounts());
            return new QueueDeclareResult(declaration.Name, counts.MessageCount, counts.ConsumerCount);
        }

        // RabbitMQ's order: the server-named rule, the redeclare's equivalence, then a new queue's arguments and properties.
        var name = declaration.Name;
        var type = QueueTypeNames.FromArguments(declaration.Arguments);
        if (name.Length == 0)
        {
            if (QueueDeclarationRules.FindServerNamedError(type) is { } serverNamedError)
            {
                throw BrokerException.PreconditionFailed(serverNamedError);
            }

            name = GenerateQueueName();
            declaration = declaration with { Name = name };
        }
        else
        {
            CheckName("queue", name);
        }

        var owner = declaration.Exclusive ? connectionId : null;
        if (Queues.TryGetValue(name, out var existing))
        {
            if (!string.Equals(existing.ExclusiveOwner, owner, StringComparison.Ordinal))
            {
                throw ExclusiveLocked(name);
            }

            var resource = QueueResource(name);
            Equivalence.AssertField(existing.Declaration.Durable, declaration.Durable, resource, "durable");
            Equivalence.AssertField(existing.Declaration.AutoDelete, declaration.AutoDelete, resource, "auto_delete");
            Equivalence.AssertQueueArguments(existing.Declaration.Arguments, declaration.Arguments, resource);
            var counts = await AtQueueAsync(name, static q => q.GetCounts());
            return new QueueDeclareResult(name, counts.MessageCount, counts.ConsumerCount);
        }

        QueueArgumentValidation.Validate(VirtualHost, name, declaration.Arguments);
        if (type == QueueType.Classic)
        {
            MasterLocatorArgument.Validate(VirtualHost, name, declaration.Arguments);
        }

        QueueDeclarationRules.ValidateProperties(type, VirtualHost, name, declaration.Durable, declaration.Exclusive, declaration.AutoDelete);
        var home = ChooseHome(declaration, clientNode);
        Queues[name] = new QueueRecord(declaration, owner) { HomeNode = home, HomeSilo = _nodes.FindActive(home)?.ToParsableString() };
        await Queue(name).Create(VirtualHost, declaration, owner, home);
        await TellNewQueueAsync(name, type);

        _changes.Add(RoutingChange.QueueAdded(name));
        await _state.WriteStateAsync();
        await PublishChangesAsync();
        return new QueueDeclareResult(name, 0, 0);
    }

    public async ValueTask<uint> DeleteQueue(string name, bool ifUnused, bool ifEmpty, string connectionId)
    {
        if (!Queues.TryGetValue(name, out var record))
        {
            return 0;
        }

        CheckExclusiveAccess(record, connectionId);
        var count = await AtQueueAsync(name, q => q.Delete(ifUnused, ifEmpty));
        await RemoveQueue(name);
        await _state.WriteStateAsync();
        await PublishChangesAsync();
        return count;
    }

    public ValueTask<uint> PurgeQueue(string name, string connectionId)
    {
        CheckExclusiveAccess(RequireQueue(name), connectionId);
        return Queue(name).Purge();
    }

    public async ValueTask Bind(Binding binding, string connectionId)
    {
        CheckBindingEnds(binding, connectionId);
        ExchangeTypes.ValidateBinding(Exchanges[binding.Source].Type, binding.Arguments);
        if (await Exchange(binding.Source).AddBinding(binding))
        {
            IndexBinding(binding);
            _changes.Add(RoutingChange.BindingAdded(binding));
            await PublishChangesAsync();
        }
    }

    public async ValueTask Unbind(Binding binding, string connectionId)
    {
        // Unbinding what does not exist succeeds, as in RabbitMQ; the default exchange and other
        // connections' exclusive queues are still refused.
        CheckNotDefaultExchange(binding);
        if (binding.Destination.Kind == DestinationKind.Queue && Queues.TryGetValue(binding.Destination.Name, out var queue))
        {
            CheckExclusiveAccess(queue, connectionId);
        }

        if (!Exchanges.ContainsKey(binding.Source))
        {
            return;
        }

        var (removed, remaining) = await Exchange(binding.Source).RemoveBinding(binding);
        if (!removed)
        {
            return;
        }

        UnindexBinding(binding);
        _changes.Add(RoutingChange.BindingRemoved(binding));
        if (remaining == 0 && Exchanges.TryGetValue(binding.Source, out var source) && source.AutoDelete)
        {
            await RemoveExchange(binding.Source);
            await _state.WriteStateAsync();
        }

        await PublishChangesAsync();
    }

    public ValueTask<string> ResolveQueue(string name, string connectionId)
    {
        CheckExclusiveAccess(RequireQueue(name), connectionId);
        return ValueTask.FromResult(GrainKeys.Queue(VirtualHost, name));
    }

    public async ValueTask QueueUnused(string name)
    {
        if (Queues.TryGetValue(name, out var record) && record.Declaration.AutoDelete
            && (await Queue(name).GetCounts()).ConsumerCount == 0)
        {
            await Queue(name).Delete(ifUnused: false, ifEmpty: false);
            await RemoveQueue(name);
            await _state.WriteStateAsync();
            await PublishChangesAsync();
        }
    }

    public async ValueTask ConnectionClosed(string connectionId)
    {
        var owned = Queues.Where(q => string.Equals(q.Value.ExclusiveOwner, connectionId, StringComparison.Ordinal))
            .Select(q => q.Key).ToList();
        foreach (var name in owned)
        {
            await Queue(name).Delete(ifUnused: false, ifEmpty: false);
            await RemoveQueue(name);
        }

        if (owned.Count > 0)
        {
            await _state.WriteStateAsync();
            await PublishChangesAsync();
        }
    }

    public async ValueTask GatewayGone(string gatewayId)
    {
        var owned = Queues.Where(q => q.Value.ExclusiveOwner is { } owner && GatewayIds.BelongsTo(owner, gatewayId)).Select(q => q.Key).ToList();
        foreach (var name in owned)
        {
            _logger.LogInformation("exclusive queue '{Queue}' in vhost '{VirtualHost}' is gone with its gateway", name, VirtualHost);
            await DeleteQueueOfAGoneNode(name);
            await RemoveQueue(name);
        }

        if (owned.Count > 0)
        {
            await _state.WriteStateAsync();
            await PublishChangesAsync();
        }

        // One call per queue, all at once; a queue whose node is down holds nothing of a live process's channels.
        var releases = new List<Task>();
        foreach (var name in Queues.Keys.Where(name => !_downQueues.Contains(name)))
        {
            releases.Add(Queue(name).ReleaseGateway(gatewayId).AsTask());
        }

        try
        {
            await Task.WhenAll(releases);
        }
        catch (Exception e) when (e is BrokerException || Unreachable.Is(e))
        {
            // A queue on a node that just died: that node's channels and deliveries go with it anyway.
        }
    }

    /// <summary>Check both ends of a binding exist and may be used, in rabbit_channel's order.</summary>
    private void CheckBindingEnds(Binding binding, string connectionId)
    {
        CheckNotDefaultExchange(binding);
        _ = RequireExchange(binding.Source);
        if (binding.Destination.Kind == DestinationKind.Queue)
        {
            CheckExclusiveAccess(RequireQueue(binding.Destination.Name), connectionId);
        }
        else
        {
            _ = RequireExchange(binding.Destination.Name);
        }
    }

    private static void CheckNotDefaultExchange(Binding binding)
    {
        if (binding.Source.Length == 0 || (binding.Destination.Kind == DestinationKind.Exchange && binding.Destination.Name.Length == 0))
        {
            throw BrokerException.AccessRefused("operation not permitted on the default exchange");
        }
    }

    /// <summary>
    /// The node a new queue lives on, by its locator argument or the configured default, as RabbitMQ 3.10 places
    /// classic queues: client-local (the declaring connection's node; balanced when that node has no grains) or
    /// balanced / min-masters (the node with the fewest queues of this vhost), or random.
    /// </summary>
    private string ChooseHome(QueueDeclaration declaration, string? clientNode)
    {
        var locator = declaration.Arguments.GetString("x-queue-leader-locator")
            ?? declaration.Arguments.GetString("x-queue-master-locator")
            ?? _defaultLocator;
        var nodes = _nodes.ActiveNames();
        if (nodes.Count == 0)
        {
            return _nodes.LocalName;
        }

        // An exclusive queue lives with its connection, whatever its locator says (as in RabbitMQ).
        if ((locator == "client-local" || declaration.Exclusive) && clientNode is not null && nodes.Contains(clientNode))
        {
            return clientNode;
        }

        if (locator == "random")
        {
            return nodes[Random.Shared.Next(nodes.Count)];
        }

        var queuesPerNode = nodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        foreach (var record in Queues.Values)
        {
            if (record.HomeNode is { } node && queuesPerNode.ContainsKey(node))
            {
                queuesPerNode[node]++;
            }
        }

        return queuesPerNode.MinBy(n => n.Value).Key;
    }

    /// <summary>A transient or exclusive queue is gone once the run of its home node that declared it is over.</summary>
    private bool IsGoneWithItsNode(QueueRecord record, bool restarted)
    {
        if (record.Declaration.Durable && record.ExclusiveOwner is null)
        {
            return false;
        }

        return restarted || record.HomeSilo is null || !_nodes.IsActive(SiloAddress.FromParsableString(record.HomeSilo));
    }

    public async ValueTask Delete()
    {
        foreach (var name in Queues.Keys.ToList())
        {
            await DeleteQueueOfAGoneNode(name);
            await RemoveQueue(name);
        }

        foreach (var name in Exchanges.Keys.ToList())
        {
            if (Exchanges.ContainsKey(name))
            {
                await RemoveExchange(name);
            }
        }

        await PublishChangesAsync();
        await _state.ClearStateAsync();
        _state.State = new VirtualHostState();
        DeactivateOnIdle();
    }

    /// <summary>Forget a queue whose node is gone; its grain is asked to clear its state when it can be reached.</summary>
    private async ValueTask DeleteQueueOfAGoneNode(string name)
    {
        try
        {
            await Queue(name).Delete(ifUnused: false, ifEmpty: false);
        }
        catch (BrokerException)
        {
            // Its home node is down: the record in the directory is what makes it exist, and that goes.
        }
    }

    /// <summary>
    /// Every few seconds: the transient and exclusive queues of nodes membership declared dead go, as in RabbitMQ, and
    /// durable queues whose node is down (or back) are marked so in every node's routing.
    /// </summary>
    private async Task CheckNodesAsync(CancellationToken cancellationToken)
    {
        var silos = ActiveSilos();
        var gone = Queues.Where(q => IsGoneWithADeadNode(q.Value)).Select(q => q.Key).ToList();
        foreach (var name in gone)
        {
            _logger.LogInformation("queue '{Queue}' in vhost '{VirtualHost}' is gone with its node", name, VirtualHost);
            await DeleteQueueOfAGoneNode(name);
            await RemoveQueue(name);
        }

        if (gone.Count > 0 || !silos.SequenceEqual(_state.State.Silos))
        {
            _state.State.Silos = silos;
            await _state.WriteStateAsync();
        }

        NoteQueueAvailability();
        await PublishChangesAsync();
        await TellQueuesMissedAsync();
    }

    /// <summary>Durable queues whose home node is down take no messages until it is back: tell the routing replicas.</summary>
    private void NoteQueueAvailability()
    {
        foreach (var (name, record) in Queues)
        {
            var down = record.HomeNode is { } home && _nodes.FindActive(home) is null;
            if (down ? _downQueues.Add(name) : _downQueues.Remove(name))
            {
                _changes.Add(RoutingChange.QueueAvailability(name, down));
            }
        }

        _downQueues.RemoveWhere(name => !Queues.ContainsKey(name));
    }

    /// <summary>
    /// A transient or exclusive queue whose home node died is gone; so is an exclusive queue whose owning connection's
    /// node died (its connection is gone with it).
    /// </summary>
    private bool IsGoneWithADeadNode(QueueRecord record)
    {
        if (record.Declaration.Durable && record.ExclusiveOwner is null)
        {
            return false;
        }

        return (record.HomeSilo is { } home && _nodes.IsDead(SiloAddress.FromParsableString(home)))
            || (record.ExclusiveOwner is { } owner && GatewayIds.TryGetSilo(owner, out var gateway) && _nodes.IsDead(gateway));
    }

    private List<string> ActiveSilos() => _nodes.ActiveSilos().Select(s => s.ToParsableString()).ToList();

    /// <summary>
    /// Send the changes an operation made to every node's routing replica and wait for all of them, so the operation's
    /// -ok follows. A replica that fails or does not answer in time is dropped: it notices the gap and resubscribes.
    /// </summary>
    private async ValueTask PublishChangesAsync()
    {
        if (_changes.Count == 0)
        {
            return;
        }

        var update = new RoutingUpdate(_epoch, ++_version, _changes.ToArray());
        _changes.Clear();
        if (_replicas.Count == 0)
        {
            return;
        }

        var calls = _replicas.Select(r => (r.Key, Call: r.Value.Apply(update).WaitAsync(ReplicaTimeout))).ToList();
        foreach (var (replica, call) in calls)
        {
            try
            {
                await call;
            }
            catch (Exception e)
            {
                _replicas.Remove(replica);
                _logger.LogWarning("routing replica {Replica} of virtual host '{VirtualHost}' dropped: {Reason}", replica, VirtualHost, e.Message);
            }
        }
    }

    /// <summary>Remove a queue from the directory and every binding that leads to it.</summary>
    private async ValueTask RemoveQueue(string name)
    {
        Queues.Remove(name);
        _changes.Add(RoutingChange.QueueDeleted(name));
        await RemoveBindingsTo(BindingDestination.Queue(name));
    }

    /// <summary>Remove an exchange, the bindings it is the source of, and the bindings to it.</summary>
    private async ValueTask RemoveExchange(string name)
    {
        if (_bindings.Remove(name, out var bindings))
        {
            foreach (var binding in bindings)
            {
                UnindexSource(name, binding.Destination);
            }
        }

        Exchanges.Remove(name);
        _changes.Add(RoutingChange.ExchangeDeleted(name));
        await Exchange(name).Delete();
        await RemoveBindingsTo(BindingDestination.Exchange(name));
    }

    /// <summary>Drop the bindings to a destination that is gone; auto-delete sources left with none go too.</summary>
    private async ValueTask RemoveBindingsTo(BindingDestination destination)
    {
        if (!_sourcesByDestination.Remove(destination, out var sources))
        {
            return;
        }

        foreach (var source in sources)
        {
            if (!Exchanges.TryGetValue(source, out var declaration))
            {
                continue;
            }

            var removed = _bindings[source].Where(b => b.Destination == destination).ToList();
            foreach (var binding in removed)
            {
                _bindings[source].Remove(binding);
                _changes.Add(RoutingChange.BindingRemoved(binding));
            }

            var remaining = await Exchange(source).RemoveBindingsTo(destination);
            if (remaining == 0 && declaration.AutoDelete)
            {
                await RemoveExchange(source);
            }
        }
    }

    private void IndexBinding(Binding binding)
    {
        _bindings[binding.Source].Add(binding);
        if (!_sourcesByDestination.TryGetValue(binding.Destination, out var sources))
        {
            sources = new HashSet<string>(StringComparer.Ordinal);
            _sourcesByDestination[binding.Destination] = sources;
        }

        sources.Add(binding.Source);
    }

    /// <summary>Forget a binding; its source stays indexed for the destination while another of its bindings leads there.</summary>
    private void UnindexBinding(Binding binding)
    {
        var bindings = _bindings[binding.Source];
        bindings.Remove(binding);
        if (!bindings.Any(b => b.Destination == binding.Destination))
        {
            UnindexSource(binding.Source, binding.Destination);
        }
    }

    private void UnindexSource(string source, BindingDestination destination)
    {
        if (_sourcesByDestination.TryGetValue(destination, out var sources) && sources.Remove(source) && sources.Count == 0)
        {
            _sourcesByDestination.Remove(destination);
        }
    }

    private ExchangeDeclaration RequireExchange(string name) =>
        Exchanges.TryGetValue(name, out var declaration)
            ? declaration
            : throw BrokerException.NotFound($"no exchange '{name}' in vhost '{VirtualHost}'");

    private QueueRecord RequireQueue(string name) =>
        Queues.TryGetValue(name, out var record)
            ? record
            : throw BrokerException.NotFound($"no queue '{name}' in vhost '{VirtualHost}'");

    /// <summary>rabbit_amqqueue:check_exclusive_access, lax: a non-exclusive queue, or one this connection owns.</summary>
    private void CheckExclusiveAccess(QueueRecord record, string connectionId)
    {
        if (record.ExclusiveOwner is not null && !string.Equals(record.ExclusiveOwner, connectionId, StringComparison.Ordinal))
        {
            throw ExclusiveLocked(record.Declaration.Name);
        }
    }

    private BrokerException ExclusiveLocked(string name) => BrokerException.ResourceLocked(
        $"cannot obtain exclusive access to locked {QueueResource(name)}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.");

    private static void CheckName(string kind, string name)
    {
        if (name.StartsWith("amq.", StringComparison.Ordinal))
        {
            throw BrokerException.AccessRefused($"{kind} name '{name}' contains reserved prefix 'amq.*'");
        }
    }

    private string ExchangeResource(string name) => $"exchange '{name}' in vhost '{VirtualHost}'";

    private string QueueResource(string name) => $"queue '{name}' in vhost '{VirtualHost}'";

    /// <summary>amq.gen- and 16 random bytes in URL-safe base64, as RabbitMQ names server-named queues.</summary>
    private static string GenerateQueueName()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return "amq.gen-" + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private IExchangeGrain Exchange(string name) => GrainFactory.GetGrain<IExchangeGrain>(GrainKeys.Exchange(VirtualHost, name));

    /// <summary>A call to a queue, retried while unreachable nodes are sorted out (see UnreachableRetry).</summary>
    private ValueTask<T> AtQueueAsync<T>(string name, Func<IQueueGrain, ValueTask<T>> call)
    {
        var home = Queues.TryGetValue(name, out var record) ? record.HomeNode : null;
        return UnreachableRetry.CallAsync(
            () => call(Queue(name)),
            () => ValueTask.FromResult(home is not null && _nodes.FindActive(home) is null),
            () => QueueHomePlacementDirector.QueueHomeDown(home!, name, VirtualHost));
    }

    /// <summary>
    /// A queue's grain, with its home node named in the request context for the call that follows: placement then
    /// need not ask this grain, which cannot answer while it is being activated (its recovery calls its queues).
    /// </summary>
    private IQueueGrain Queue(string name)
    {
        if (Queues.TryGetValue(name, out var record) && record.HomeNode is { } home)
        {
            RequestContext.Set(QueueHomePlacement.HomeNodeKey, home);
        }
        else
        {
            RequestContext.Remove(QueueHomePlacement.HomeNodeKey);
        }

        return GrainFactory.GetGrain<IQueueGrain>(GrainKeys.Queue(VirtualHost, name));
    }
}
