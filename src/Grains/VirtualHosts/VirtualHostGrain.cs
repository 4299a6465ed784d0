using System.Security.Cryptography;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// The directory of one virtual host. Declarations, deletions and bindings are ordered here;
/// the exchange grains own the bindings themselves and this grain keeps, in memory, which
/// sources bind to each destination so a deleted queue or exchange leaves no binding behind.
/// Checks and reply texts follow rabbit_channel / rabbit_amqqueue / rabbit_exchange.
/// </summary>
[GrainType("vhost"), KeepAlive]
public sealed class VirtualHostGrain : Grain, IVirtualHostGrain
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

    private readonly IPersistentState<VirtualHostState> _state;
    private readonly VirtualHostRoutingTable _routes;
    private readonly Dictionary<BindingDestination, HashSet<string>> _sourcesByDestination = new();
    private VirtualHostRecovery _recovery;

    public VirtualHostGrain([PersistentState("vhost", GrainStorageNames.Broker)] IPersistentState<VirtualHostState> state, RoutingTables routingTables)
    {
        _state = state;
        VirtualHost = this.GetPrimaryKeyString();
        _routes = routingTables.For(VirtualHost);
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
                await Exchange(name).Create(VirtualHost, declaration);
            }

            _state.State.Initialized = true;
            await _state.WriteStateAsync();
            return;
        }

        // An existing directory and a new activation: the broker restarted. What RabbitMQ keeps is
        // durable exchanges, durable non-exclusive queues and the bindings between them.
        var dropped = 0;
        foreach (var (name, record) in Queues.Where(q => !q.Value.Declaration.Durable || q.Value.ExclusiveOwner is not null).ToList())
        {
            await Queue(name).Delete(ifUnused: false, ifEmpty: false);
            Queues.Remove(name);
            dropped++;
        }

        foreach (var name in Exchanges.Where(e => !e.Value.Durable).Select(e => e.Key).ToList())
        {
            await Exchange(name).Delete();
            Exchanges.Remove(name);
            dropped++;
        }

        long messages = 0;
        foreach (var name in Queues.Keys)
        {
            _routes.AddQueue(name);
            messages += (await Queue(name).GetCounts()).MessageCount;
        }

        foreach (var name in Exchanges.Keys)
        {
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

        if (dropped > 0)
        {
            await _state.WriteStateAsync();
        }

        _recovery = new VirtualHostRecovery(Exchanges.Count, Queues.Count, messages, dropped);
    }

    public ValueTask<VirtualHostRecovery> Start() => ValueTask.FromResult(_recovery with { Exchanges = Exchanges.Count, Queues = Queues.Count });

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
        await Exchange(name).Create(VirtualHost, declaration);
        await _state.WriteStateAsync();
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

        if (ifUnused && await Exchange(name).GetBindingCount() > 0)
        {
            throw BrokerException.PreconditionFailed($"{ExchangeResource(name)} in use");
        }

        await RemoveExchange(name);
        await _state.WriteStateAsync();
    }

    public async ValueTask<QueueDeclareResult> DeclareQueue(QueueDeclaration declaration, bool passive, string connectionId)
    {
        if (passive)
        {
            var record = RequireQueue(declaration.Name);
            CheckExclusiveAccess(record, connectionId);
            var counts = await Queue(declaration.Name).GetCounts();
            return new QueueDeclareResult(declaration.Name, counts.MessageCount, counts.ConsumerCount);
        }

        var name = declaration.Name;
        if (name.Length == 0)
        {
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
            var counts = await Queue(name).GetCounts();
            return new QueueDeclareResult(name, counts.MessageCount, counts.ConsumerCount);
        }

        QueueArguments.Validate(declaration.Arguments, QueueResource(name));
        Queues[name] = new QueueRecord(declaration, owner);
        await Queue(name).Create(VirtualHost, declaration, owner);
        _routes.AddQueue(name);
        await _state.WriteStateAsync();
        return new QueueDeclareResult(name, 0, 0);
    }

    public async ValueTask<uint> DeleteQueue(string name, bool ifUnused, bool ifEmpty, string connectionId)
    {
        if (!Queues.TryGetValue(name, out var record))
        {
            return 0;
        }

        CheckExclusiveAccess(record, connectionId);
        var count = await Queue(name).Delete(ifUnused, ifEmpty);
        await RemoveQueue(name);
        await _state.WriteStateAsync();
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

        UnindexBinding(binding.Source, binding.Destination);
        if (remaining == 0 && Exchanges.TryGetValue(binding.Source, out var source) && source.AutoDelete)
        {
            await RemoveExchange(binding.Source);
            await _state.WriteStateAsync();
        }
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

    /// <summary>Remove a queue from the directory and every binding that leads to it.</summary>
    private async ValueTask RemoveQueue(string name)
    {
        Queues.Remove(name);
        _routes.RemoveQueue(name);
        await RemoveBindingsTo(BindingDestination.Queue(name));
    }

    /// <summary>Remove an exchange, the bindings it is the source of, and the bindings to it.</summary>
    private async ValueTask RemoveExchange(string name)
    {
        foreach (var binding in await Exchange(name).GetBindings())
        {
            UnindexBinding(name, binding.Destination);
        }

        Exchanges.Remove(name);
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

            var remaining = await Exchange(source).RemoveBindingsTo(destination);
            if (remaining == 0 && declaration.AutoDelete)
            {
                await RemoveExchange(source);
            }
        }
    }

    private void IndexBinding(Binding binding)
    {
        if (!_sourcesByDestination.TryGetValue(binding.Destination, out var sources))
        {
            sources = new HashSet<string>(StringComparer.Ordinal);
            _sourcesByDestination[binding.Destination] = sources;
        }

        sources.Add(binding.Source);
    }

    /// <summary>Forget that <paramref name="source"/> binds to the destination, unless another of its bindings still does.</summary>
    private void UnindexBinding(string source, BindingDestination destination)
    {
        // The exchange grain may still hold another binding (other key) from source to destination;
        // a stale entry only costs a no-op RemoveBindingsTo later, so keep it in that case.
        if (_sourcesByDestination.TryGetValue(destination, out var sources) && sources.Count == 1 && sources.Contains(source))
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

    private IQueueGrain Queue(string name) => GrainFactory.GetGrain<IQueueGrain>(GrainKeys.Queue(VirtualHost, name));
}
