using Microsoft.Extensions.Options;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Queues.Placement;
using OrleansBroker.Grains.Storage;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A classic queue: ready messages in order, delivered-but-unsettled messages by id, and consumers served
/// round-robin while they have credit. Turn-based: no locks here. Deliveries gathered in a turn go out at its end,
/// one one-way observer call per channel, so a queue never waits for a client and a busy queue sends batches.
/// A durable queue keeps its persistent messages in the message store: an enqueue completes once they are on disk
/// (so confirms mean it), deliveries and settlements are recorded behind, and a new activation (after a restart)
/// recovers them, delivered ones flagged redelivered.
/// Once the ready messages hold more than the resident limit of bytes, further persistent ones keep only their id
/// in memory (paged); they are read back in batches as they near the head, as RabbitMQ's lazy and classic v2 queues
/// do, so a backlog larger than memory costs a few dozen bytes a message.
/// Kept alive: transient messages and consumers live only in this activation, so idle collection must not drop it.
/// </summary>
[GrainType("queue"), KeepAlive, QueueHomePlacement]
public sealed partial class QueueGrain : Grain, IQueueGrain
{
    private static readonly TimeSpan DeadNodeCheckPeriod = TimeSpan.FromSeconds(2);

    /// <summary>How many paged messages one read from the store brings back at most.</summary>
    private const int PageInBatch = 512;

    private readonly IPersistentState<QueueState> _state;
    private readonly IMessageStore _store;
    private readonly ClusterNodes _nodes;
    private readonly LocalChannels _localChannels;
    private readonly long _residentLimit;
    private readonly string _key;
    private readonly List<ulong> _storeIds = new();
    private readonly ReadyMessages _ready = new();
    private readonly Dictionary<ulong, UnackedEntry> _unacked = new();
    private readonly List<ConsumerSlot> _consumers = new();
    private readonly Dictionary<string, ChannelDeliveries> _channels = new(StringComparer.Ordinal);
    private readonly List<ChannelDeliveries> _channelsWithDeliveries = new();
    private readonly HashSet<SiloAddress> _deadSilosReleased = new();

    // Runs while channels hold something of this queue (consumers, unacked deliveries), in a cluster only.
    private IGrainTimer? _channelWatch;
    private ulong _nextId = 1;
    private int _nextConsumer;
    private bool _hadConsumer;

    /// <summary>What the queue does, from its arguments and the policies in force (<see cref="ResolveSettings"/>).</summary>
    private EffectiveQueueSettings _settings = new();

    // Set when this activation is not on the queue's home node (see OnActivateAsync).
    private string? _misplacedHome;

    /// <summary>Bytes (properties and bodies) of the ready messages held in memory.</summary>
    private long _residentBytes;

    public QueueGrain(
        [PersistentState("queue", GrainStorageNames.Broker)] IPersistentState<QueueState> state,
        IMessageStore store,
        ClusterNodes nodes,
        LocalChannels localChannels,
        IOptions<QueueOptions> options)
    {
        _localChannels = localChannels;
        _state = state;
        _store = store;
        _nodes = nodes;
        _residentLimit = options.Value.ResidentBytes;
        _key = this.GetPrimaryKeyString();
    }

    private QueueDeclaration? Declaration => _state.State.Declaration;

    private string Name => Declaration?.Name ?? _key[(_key.IndexOf('/') + 1)..];

    private string VirtualHost => _state.State.VirtualHost ?? Uri.UnescapeDataString(_key[.._key.IndexOf('/')]);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ResolveSettings();

        // Placement puts a queue on its home node. Activated elsewhere (a race with a node's death, or the leftover
        // state of a queue dropped with its node), it serves nothing but a new Create: its persistent messages are in
        // its home node's store.
        if (_nodes.Clustered && _state.State.HomeNode is { } home && !string.Equals(home, _nodes.LocalName, StringComparison.Ordinal))
        {
            _misplacedHome = home;
            return;
        }

        if (Declaration is not { Durable: true })
        {
            return;
        }

        await foreach (var recovered in _store.RecoverAsync(_key, _residentLimit, cancellationToken))
        {
            var id = recovered.Message.Id;
            _ready.Append(recovered.Paged
                ? new QueueEntry(id, null, recovered.Delivered, Stored: true)
                : new QueueEntry(id, Materialize(recovered.Message), recovered.Delivered, Stored: true));
            if (!recovered.Paged)
            {
                _residentBytes += Size(_ready.PeekTail().Message!);
            }

            _nextId = Math.Max(_nextId, id + 1);
        }
    }

    public async Task Create(string vhost, QueueDeclaration declaration, string? exclusiveOwner, string? homeNode)
    {
        _misplacedHome = null;
        _state.State = new QueueState { VirtualHost = vhost, Declaration = declaration, ExclusiveOwner = exclusiveOwner, HomeNode = homeNode };
        ResolveSettings();
        await _state.WriteStateAsync();
    }

    public async ValueTask ApplyPolicies(AppliedPolicies policies)
    {
        EnsureHome();
        if (Declaration is null || Equals(_state.State.Policies ?? AppliedPolicies.None, policies))
        {
            return;
        }

        _state.State.Policies = policies;
        await _state.WriteStateAsync();
        ResolveSettings();
    }

    public ValueTask<QueueCounts> GetCounts()
    {
        EnsureHome();
        return ValueTask.FromResult(Counts());
    }

    public async ValueTask Enqueue(Immutable<Message[]> batch)
    {
        EnsureHome();
        if (Declaration is null)
        {
            // Deleted between routing and enqueue: the message had nowhere to go.
            return;
        }

        var messages = batch.Value;
        var firstId = _nextId;
        _nextId += (ulong)messages.Length;
        if (Declaration.Durable)
        {
            await StoreAsync(messages, firstId);
        }

        var id = firstId;
        foreach (var message in messages)
        {
            var stored = IsStored(message);
            if (stored && _residentBytes >= _residentLimit)
            {
                _ready.Append(new QueueEntry(id++, null, false, Stored: true));
            }
            else
            {
                _ready.Append(new QueueEntry(id++, message, false, stored));
                _residentBytes += Size(message);
            }
        }

        await DispatchAsync();
    }

    public async ValueTask Consume(ConsumerRegistration registration, IConsumerObserver observer)
    {
        EnsureHome();
        EnsureExists();
        if (_consumers.Count > 0 && (registration.Exclusive || _consumers[0].Registration.Exclusive))
        {
            throw BrokerException.AccessRefused($"queue '{Name}' in vhost '{VirtualHost}' in exclusive use");
        }

        if (!_channels.TryGetValue(registration.ChannelId, out var channel))
        {
            channel = new ChannelDeliveries(registration.ChannelId, observer);
            _channels[registration.ChannelId] = channel;
        }

        channel.Consumers++;
        _consumers.Add(new ConsumerSlot(registration, channel));
        WatchChannels();
        _hadConsumer = true;
        await DispatchAsync();
    }

    public async ValueTask<ConsumerCancelResult> Cancel(string channelId, string consumerTag)
    {
        EnsureHome();
        var index = FindConsumer(channelId, consumerTag);
        if (index < 0)
        {
            return new ConsumerCancelResult(false, 0, false);
        }

        var consumer = _consumers[index];
        _consumers.RemoveAt(index);
        if (--consumer.Channel.Consumers == 0)
        {
            _channels.Remove(channelId);
        }

        if (_nextConsumer > index)
        {
            _nextConsumer--;
        }

        await DispatchAsync();
        return new ConsumerCancelResult(true, consumer.Delivered, _hadConsumer && _consumers.Count == 0 && Declaration is { AutoDelete: true });
    }

    public async ValueTask<QueueGetResult> Get(string channelId, bool noAck)
    {
        EnsureHome();
        EnsureExists();
        if (!await EnsureHeadResidentAsync())
        {
            return new QueueGetResult(null, 0);
        }

        var entry = TakeHead();
        if (!noAck)
        {
            _unacked[entry.Id] = new UnackedEntry(entry, channelId, null);
            WatchChannels();
        }

        if (entry.Stored)
        {
            ReadOnlySpan<ulong> id = [entry.Id];
            if (noAck)
            {
                _store.Remove(_key, id);
            }
            else
            {
                _store.MarkDelivered(_key, id);
            }
        }

        var delivery = new Delivery(string.Empty, entry.Id, entry.Message!, entry.Redelivered);
        return new QueueGetResult(delivery, (uint)_ready.Count);
    }

    public async ValueTask Settle(SettlementBatch batch)
    {
        EnsureHome();
        var requeued = false;
        foreach (var settlement in batch.Settlements)
        {
            if (!_unacked.Remove(settlement.MessageId, out var unacked))
            {
                continue;
            }

            var entry = unacked.Entry;
            if (settlement.Kind is SettlementKind.Requeue or SettlementKind.Return && Declaration is not null)
            {
                var returned = settlement.Kind == SettlementKind.Return;
                _ready.Insert(returned ? entry : entry with { Redelivered = true });
                _residentBytes += Size(entry.Message!);
                requeued = true;
            }
            else if (entry.Stored)
            {
                _storeIds.Add(entry.Id);
            }
        }

        FlushStoreIds(remove: true);
        var credited = false;
        foreach (var grant in batch.Credits)
        {
            var index = FindConsumer(batch.ChannelId, grant.ConsumerTag);
            if (index >= 0)
            {
                _consumers[index].Grant(grant);
                credited = true;
            }
        }

        if (requeued || credited)
        {
            await DispatchAsync();
        }
    }

    public ValueTask<uint> Purge()
    {
        EnsureHome();
        EnsureExists();
        var count = (uint)_ready.Count;
        while (_ready.Count > 0)
        {
            var entry = _ready.TakeHead();
            if (entry.Stored)
            {
                _storeIds.Add(entry.Id);
            }
        }

        _residentBytes = 0;
        FlushStoreIds(remove: true);
        return ValueTask.FromResult(count);
    }

    public async ValueTask<uint> Delete(bool ifUnused, bool ifEmpty)
    {
        EnsureHome();
        if (Declaration is null)
        {
            return 0;
        }

        if (ifUnused && _consumers.Count > 0)
        {
            throw BrokerException.PreconditionFailed($"queue '{Name}' in vhost '{VirtualHost}' in use");
        }

        if (ifEmpty && _ready.Count > 0)
        {
            throw BrokerException.PreconditionFailed($"queue '{Name}' in vhost '{VirtualHost}' not empty");
        }

        foreach (var consumer in _consumers)
        {
            _ = ChannelOf(consumer.Channel).ConsumerCancelled(Name, consumer.Tag, consumer.Delivered);
        }

        _consumers.Clear();
        _channels.Clear();
        var count = (uint)_ready.Clear();
        _residentBytes = 0;
        _unacked.Clear();
        if (Declaration.Durable)
        {
            await _store.DeleteQueueAsync(_key);
        }

        await _state.ClearStateAsync();
        _state.State = new QueueState();
        DeactivateOnIdle();
        return count;
    }

    /// <summary>
    /// A channel on a node that died holds nothing any more, as in RabbitMQ when a channel's process goes: its consumers
    /// are removed and its unsettled deliveries come back, redelivered. Channels are named after their node's silo
    /// (see GatewayIds); a dead silo is looked for only once.
    /// </summary>
    private async Task ReleaseChannelsOfDeadNodesAsync(CancellationToken cancellationToken)
    {
        if (_consumers.Count == 0 && _unacked.Count == 0)
        {
            // An idle queue costs no timer: thousands of queues would otherwise tick for nothing.
            _channelWatch?.Dispose();
            _channelWatch = null;
            return;
        }

        var dead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var channelId in _consumers.Select(c => c.ChannelId).Concat(_unacked.Values.Select(u => u.ChannelId)).Distinct())
        {
            if (GatewayIds.TryGetSilo(channelId, out var silo) && !_deadSilosReleased.Contains(silo) && _nodes.IsDead(silo))
            {
                dead.Add(channelId);
            }
        }

        if (dead.Count == 0)
        {
            return;
        }

        await ReleaseChannelsAsync(dead);
        foreach (var channelId in dead)
        {
            if (GatewayIds.TryGetSilo(channelId, out var silo))
            {
                _deadSilosReleased.Add(silo);
            }
        }
    }

    public async ValueTask ReleaseGateway(string gatewayId)
    {
        var gone = _consumers.Select(c => c.ChannelId).Concat(_unacked.Values.Select(u => u.ChannelId))
            .Where(channelId => GatewayIds.BelongsTo(channelId, gatewayId)).ToHashSet(StringComparer.Ordinal);
        if (gone.Count > 0)
        {
            await ReleaseChannelsAsync(gone);
        }
    }

    /// <summary>Remove the consumers of these channels and requeue their unsettled deliveries (redelivered).</summary>
    private async ValueTask ReleaseChannelsAsync(HashSet<string> gone)
    {
        for (var i = _consumers.Count - 1; i >= 0; i--)
        {
            if (gone.Contains(_consumers[i].ChannelId))
            {
                _channels.Remove(_consumers[i].ChannelId);
                _consumers.RemoveAt(i);
            }
        }

        _nextConsumer = 0;
        var released = _unacked.Where(u => gone.Contains(u.Value.ChannelId)).Select(u => new Settlement(u.Key, SettlementKind.Requeue)).ToArray();
        await Settle(new SettlementBatch(string.Empty, released, []));
    }

    /// <summary>Start watching for channels on dead nodes, if this is a cluster and it is not watching yet.</summary>
    private void WatchChannels()
    {
        if (_nodes.Clustered && _channelWatch is null)
        {
            _channelWatch = this.RegisterGrainTimer(ReleaseChannelsOfDeadNodesAsync, new GrainTimerCreationOptions(DeadNodeCheckPeriod, DeadNodeCheckPeriod));
        }
    }

    private void ResolveSettings() => _settings = Declaration is { } declaration
        ? EffectiveQueueSettings.Resolve(declaration.Arguments, _state.State.Policies ?? AppliedPolicies.None)
        : new EffectiveQueueSettings();

    /// <summary>Write the persistent ones to disk before they become visible (and before the publisher's confirm).</summary>
    private async ValueTask StoreAsync(Message[] messages, ulong firstId)
    {
        StoredMessage[]? stored = null;
        var count = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            if (message.IsPersistent)
            {
                stored ??= new StoredMessage[messages.Length];
                stored[count++] = new StoredMessage(firstId + (ulong)i, message.Exchange, message.RoutingKey, message.Properties, message.Body);
            }
        }

        if (stored is not null)
        {
            await _store.AppendAsync(_key, stored.AsMemory(0, count));
        }
    }

    /// <summary>Persistent messages in durable queues live in the message store.</summary>
    private bool IsStored(Message message) => message.IsPersistent && Declaration is { Durable: true };

    private static long Size(Message message) => message.Properties.Length + message.Body.Length;

    private static Message Materialize(in StoredMessage stored) =>
        new(stored.Exchange, stored.RoutingKey, stored.Properties, BasicPropertiesReader.ReadSummary(stored.Properties.Span), stored.Body);

    private QueueCounts Counts() => new((uint)_ready.Count, (uint)_consumers.Count);

    private int FindConsumer(string channelId, string consumerTag)
    {
        for (var i = 0; i < _consumers.Count; i++)
        {
            var consumer = _consumers[i];
            if (string.Equals(consumer.Tag, consumerTag, StringComparison.Ordinal) && string.Equals(consumer.ChannelId, channelId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>An activation off the queue's home node answers as RabbitMQ does for a queue whose node is down.</summary>
    private void EnsureHome()
    {
        if (_misplacedHome is not null)
        {
            throw QueueHomePlacementDirector.QueueHomeDown(_misplacedHome, Name, VirtualHost);
        }
    }

    private void EnsureExists()
    {
        if (Declaration is null)
        {
            throw BrokerException.NotFound($"no queue '{Name}' in vhost '{VirtualHost}'");
        }
    }

    private QueueEntry TakeHead()
    {
        var entry = _ready.TakeHead();
        if (entry.Message is { } message)
        {
            _residentBytes -= Size(message);
        }

        return entry;
    }

    /// <summary>
    /// Make sure the head of the ready messages has its body in memory, paging a batch in when it
    /// does not. A paged message the store no longer has (its record was corrupt) is dropped:
    /// it cannot be delivered. False when no ready message is left.
    /// </summary>
    private async ValueTask<bool> EnsureHeadResidentAsync()
    {
        while (_ready.Count > 0 && _ready.PeekHead().Message is null)
        {
            await PageInAsync();
            if (_ready.Count > 0 && _ready.PeekHead().Message is null)
            {
                _ready.TakeHead();
            }
        }

        return _ready.Count > 0;
    }

    /// <summary>Read the paged messages nearest the head back from the store, up to a batch or the resident limit.</summary>
    private async ValueTask PageInAsync()
    {
        var ids = new List<ulong>(PageInBatch);
        var positions = new Dictionary<ulong, int>(PageInBatch);
        for (var i = 0; i < _ready.Count && ids.Count < PageInBatch; i++)
        {
            var entry = _ready[i];
            if (entry.Message is null)
            {
                ids.Add(entry.Id);
                positions[entry.Id] = i;
            }
        }

        var budget = Math.Max(_residentLimit - _residentBytes, 1);
        await foreach (var stored in _store.ReadManyAsync(_key, ids.ToArray()))
        {
            var message = Materialize(stored);
            ref var entry = ref _ready[positions[stored.Id]];
            entry = entry with { Message = message };
            var size = Size(message);
            _residentBytes += size;
            budget -= size;
            if (budget <= 0)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Hand ready messages to consumers with credit, round-robin, until one side runs out; then send each consumer
    /// what it was given, in one call.
    /// </summary>
    private async ValueTask DispatchAsync()
    {
        while (_ready.Count > 0 && NextConsumerWithCredit() is { } consumer)
        {
            if (_ready.PeekHead().Message is null && !await EnsureHeadResidentAsync())
            {
                break;
            }

            var entry = TakeHead();
            var noAck = consumer.Registration.NoAck;
            if (!noAck)
            {
                _unacked[entry.Id] = new UnackedEntry(entry, consumer.ChannelId, consumer);
            }

            if (entry.Stored)
            {
                if (noAck)
                {
                    _store.Remove(_key, [entry.Id]);
                }
                else
                {
                    _storeIds.Add(entry.Id);
                }
            }

            consumer.Delivered++;
            var pending = consumer.Channel.Pending;
            if (pending.Count == 0)
            {
                _channelsWithDeliveries.Add(consumer.Channel);
            }

            pending.Add(new Delivery(consumer.Tag, entry.Id, entry.Message!, entry.Redelivered));
        }

        FlushStoreIds(remove: false);
        SendDeliveries();
    }

    /// <summary>The next consumer in round-robin order that may receive a delivery, advancing past it; null when none may.</summary>
    private ConsumerSlot? NextConsumerWithCredit()
    {
        for (var tried = 0; tried < _consumers.Count; tried++)
        {
            if (_nextConsumer >= _consumers.Count)
            {
                _nextConsumer = 0;
            }

            var consumer = _consumers[_nextConsumer++];
            if (consumer.HasCredit)
            {
                return consumer;
            }
        }

        return null;
    }

    private void SendDeliveries()
    {
        foreach (var channel in _channelsWithDeliveries)
        {
            var deliveries = channel.Pending.ToArray();
            channel.Pending.Clear();
            _ = ChannelOf(channel).Deliver(new DeliveryBatch(Name, deliveries));
        }

        _channelsWithDeliveries.Clear();
    }

    /// <summary>The channel in this process when it is here (a direct call), else its observer.</summary>
    private IConsumerObserver ChannelOf(ChannelDeliveries channel) =>
        _localChannels.TryGet(channel.ChannelId, out var local) ? local : channel.Observer;

    /// <summary>Hand the collected ids to the store: as removals, or as delivered marks.</summary>
    private void FlushStoreIds(bool remove)
    {
        if (_storeIds.Count == 0)
        {
            return;
        }

        var ids = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_storeIds);
        if (remove)
        {
            _store.Remove(_key, ids);
        }
        else
        {
            _store.MarkDelivered(_key, ids);
        }

        _storeIds.Clear();
    }
}
