using Microsoft.Extensions.Options;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Queues.Placement;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Grains.VirtualHosts;

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
/// Features from arguments and policies (<see cref="EffectiveQueueSettings"/>) cost nothing when off: message TTL
/// (deadlines in the entries, expired heads dropped by one timer), length limits with their overflow behaviour,
/// dead-lettering (one hand-over per turn to <see cref="IDeadLetterPublisher"/>), priority levels, consumer
/// priorities, single active consumer, x-expires (one timer) and quorum queues' delivery limit.
/// </summary>
[GrainType("queue"), KeepAlive, QueueHomePlacement]
public sealed partial class QueueGrain : Grain, IQueueGrain
{
    private static readonly TimeSpan DeadNodeCheckPeriod = TimeSpan.FromSeconds(2);

    /// <summary>How many paged messages one read from the store brings back at most.</summary>
    private const int PageInBatch = 512;

    private readonly IPersistentState<QueueState> _state;
    private readonly IMessageStore _store;
    private readonly IDeadLetterPublisher _deadLetterPublisher;
    private readonly ClusterNodes _nodes;
    private readonly LocalChannels _localChannels;
    private readonly long _residentLimit;
    private readonly string _key;
    private readonly List<ulong> _storeIds = new();
    private ReadyQueue _ready = new(1);
    private readonly Dictionary<ulong, UnackedEntry> _unacked = new();
    private readonly List<ConsumerSlot> _consumers = new();
    private readonly Dictionary<string, ChannelDeliveries> _channels = new(StringComparer.Ordinal);
    private readonly List<ChannelDeliveries> _channelsWithDeliveries = new();
    private readonly HashSet<SiloAddress> _deadSilosReleased = new();

    // Messages leaving this turn other than by delivery (expired, over the length limit, rejected, past the delivery
    // limit): dead-lettered and removed from the store at the turn's end (FlushDyingAsync).
    private readonly List<(QueueEntry Entry, DeadLetterReason Reason)> _dying = new();

    // Runs while channels hold something of this queue (consumers, unacked deliveries), in a cluster only.
    private IGrainTimer? _channelWatch;
    private ulong _nextId = 1;
    private int _nextConsumer;
    private bool _hadConsumer;

    /// <summary>Body bytes of the ready messages (x-max-length-bytes counts these, as RabbitMQ's message_bytes_ready).</summary>
    private long _readyBodyBytes;

    // Whether a ready message may have a deadline: a queue without TTLs never reads the clock for them.
    private bool _mayExpire;

    // Fires when the earliest deadline among the heads is reached (message TTL); armed only while one is.
    private IGrainTimer? _expiryTimer;
    private long _expiryArmedFor;

    // x-expires: when the queue was last used (consumer, basic.get, declare), and the timer that deletes it unused.
    private long _lastUsed;
    private IGrainTimer? _leaseTimer;
    private bool _hasConsumerPriorities;

    /// <summary>What the queue does, from its arguments and the policies in force (<see cref="ResolveSettings"/>).</summary>
    private EffectiveQueueSettings _settings = new();

    // Set when this activation is not on the queue's home node (see OnActivateAsync).
    private string? _misplacedHome;

    /// <summary>Bytes (properties and bodies) of the ready messages held in memory.</summary>
    private long _residentBytes;

    public QueueGrain(
        [PersistentState("queue", GrainStorageNames.Broker)] IPersistentState<QueueState> state,
        IMessageStore store,
        IDeadLetterPublisher deadLetterPublisher,
        ClusterNodes nodes,
        LocalChannels localChannels,
        IOptions<QueueOptions> options)
    {
        _localChannels = localChannels;
        _state = state;
        _store = store;
        _deadLetterPublisher = deadLetterPublisher;
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

        // A durable queue's x-expires lease starts again when the broker does, as RabbitMQ documents.
        _lastUsed = NowMilliseconds();
        ArmLease();
        if (Declaration is not { Durable: true })
        {
            return;
        }

        // Priority levels are known only with the message in hand: a priority queue keeps its messages resident.
        var residentLimit = _settings.MaxPriority is null ? _residentLimit : long.MaxValue;
        await foreach (var recovered in _store.RecoverAsync(_key, residentLimit, cancellationToken))
        {
            var id = recovered.Message.Id;
            var enqueuedAt = QueueMessageIds.EnqueuedAt(id) ?? _lastUsed;
            if (recovered.Paged)
            {
                var deadline = MessageDeadline.Compute(_settings.QueueType, _settings.MessageTtl, null, enqueuedAt) ?? 0;
                _ready.Append(new QueueEntry(id, null, recovered.Delivered, Stored: true, deadline));
                _mayExpire |= deadline != 0;
            }
            else
            {
                var message = Materialize(recovered.Message);
                var entry = NewEntry(id, message, stored: true, enqueuedAt) with { Redelivered = recovered.Delivered };
                _ready.Append(entry);
                _residentBytes += Size(message);
                _readyBodyBytes += entry.BodySize;
            }

            _nextId = Math.Max(_nextId, id + 1);
        }

        await ApplyLimitsAsync();
    }

    public async Task Create(string vhost, QueueDeclaration declaration, string? exclusiveOwner, string? homeNode)
    {
        _misplacedHome = null;
        _state.State = new QueueState { VirtualHost = vhost, Declaration = declaration, ExclusiveOwner = exclusiveOwner, HomeNode = homeNode };
        ResolveSettings();
        await _state.WriteStateAsync();
        _lastUsed = NowMilliseconds();
        ArmLease();
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
        ArmLease();
        await ApplyLimitsAsync();
    }

    /// <summary>Asked at every queue.declare of the queue (which counts as a use for x-expires).</summary>
    public ValueTask<QueueCounts> GetCounts()
    {
        EnsureHome();
        NoteUsed();
        return ValueTask.FromResult(Counts());
    }

    public async ValueTask<EnqueueOutcome> Enqueue(Immutable<Message[]> batch)
    {
        EnsureHome();
        if (Declaration is null)
        {
            // Deleted between routing and enqueue: the message had nowhere to go.
            return EnqueueOutcome.AllAccepted;
        }

        var messages = batch.Value;
        var now = NowMilliseconds();
        if (_mayExpire)
        {
            DropExpired(now);
        }

        var rejected = _settings.Overflow != QueueOverflow.DropHead && IsLimited ? FindOverflowing(messages) : null;
        var firstId = QueueMessageIds.First(_nextId, now);
        _nextId = firstId + (ulong)messages.Length;
        if (Declaration.Durable)
        {
            await StoreAsync(messages, firstId, rejected);
        }

        var pageOut = _settings.MaxPriority is null;
        var next = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            var id = firstId + (ulong)i;
            if (rejected is not null && next < rejected.Length && rejected[next] == i)
            {
                next++;
                if (_settings.Overflow == QueueOverflow.RejectPublishDlx)
                {
                    _dying.Add((new QueueEntry(id, message, false, Stored: false), DeadLetterReason.MaxLength));
                }

                continue;
            }

            var entry = NewEntry(id, message, IsStored(message), now);
            _readyBodyBytes += entry.BodySize;
            if (entry.Stored && pageOut && _residentBytes >= _residentLimit)
            {
                _ready.Append(entry with { Message = null });
            }
            else
            {
                _ready.Append(entry);
                _residentBytes += Size(message);
            }
        }

        await DispatchAsync(dropExpired: false);

        // What no consumer took at once: a TTL of 0 is over already, and drop-head trims the queue to its limits.
        await ApplyLimitsAsync();
        return rejected is null ? EnqueueOutcome.AllAccepted : new EnqueueOutcome(rejected);
    }

    public async ValueTask Consume(ConsumerRegistration registration, IConsumerObserver observer)
    {
        EnsureHome();
        EnsureExists();
        ConsumerArgumentValidation.Validate(_settings.QueueType, VirtualHost, Name, registration.Arguments);
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
        var slot = new ConsumerSlot(registration, channel);
        _consumers.Add(slot);
        _hasConsumerPriorities |= slot.Priority != 0;
        WatchChannels();
        _hadConsumer = true;
        NoteUsed();
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

        _hasConsumerPriorities = _consumers.Exists(c => c.Priority != 0);
        NoteUsed();
        await DispatchAsync();
        return new ConsumerCancelResult(true, consumer.Delivered, _hadConsumer && _consumers.Count == 0 && Declaration is { AutoDelete: true });
    }

    public async ValueTask<QueueGetResult> Get(string channelId, bool noAck)
    {
        EnsureHome();
        EnsureExists();
        NoteUsed();
        if (_mayExpire)
        {
            DropExpired(NowMilliseconds());
            await FlushDyingAsync();
        }

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

        var delivery = new Delivery(string.Empty, entry.Id, Outgoing(entry, basicGet: true), entry.Redelivered);
        ArmExpiry();
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
                if (settlement.Kind == SettlementKind.Requeue)
                {
                    entry = entry with { Redelivered = true, DeliveryCount = entry.DeliveryCount + 1 };
                    if (_settings.DeliveryLimit is { } limit && entry.DeliveryCount > limit)
                    {
                        _dying.Add((entry, DeadLetterReason.DeliveryLimit));
                        continue;
                    }
                }

                _ready.Insert(entry);
                _residentBytes += Size(entry.Message!);
                _readyBodyBytes += entry.BodySize;
                _mayExpire |= entry.Deadline != 0;
                requeued = true;
            }
            else if (settlement.Kind == SettlementKind.Discard && _settings.DeadLetterExchange is not null && Declaration is not null)
            {
                _dying.Add((entry, DeadLetterReason.Rejected));
            }
            else if (entry.Stored)
            {
                _storeIds.Add(entry.Id);
            }
        }

        FlushStoreIds(remove: true);
        await FlushDyingAsync();
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
        _readyBodyBytes = 0;
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
        _readyBodyBytes = 0;
        _unacked.Clear();
        _expiryTimer?.Dispose();
        _expiryTimer = null;
        _leaseTimer?.Dispose();
        _leaseTimer = null;
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

    private void ResolveSettings()
    {
        _settings = Declaration is { } declaration
            ? EffectiveQueueSettings.Resolve(declaration.Arguments, _state.State.Policies ?? AppliedPolicies.None)
            : new EffectiveQueueSettings();

        // x-max-priority is an argument only, fixed for the queue's life: levels change only for a new declaration.
        var levels = (_settings.MaxPriority ?? 0) + 1;
        if (_ready.Count == 0)
        {
            _ready = new ReadyQueue(levels);
        }
    }

    private static long NowMilliseconds() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private bool IsLimited => _settings.MaxLength is not null || _settings.MaxLengthBytes is not null;

    /// <summary>A ready entry for a message enqueued at <paramref name="enqueuedAt"/>: its deadline, priority level and size.</summary>
    private QueueEntry NewEntry(ulong id, Message message, bool stored, long enqueuedAt)
    {
        var deadline = _settings.MessageTtl is null && message.Summary.Expiration is null
            ? 0
            : MessageDeadline.Compute(_settings.QueueType, _settings.MessageTtl, message.Summary.Expiration, enqueuedAt) ?? 0;
        _mayExpire |= deadline != 0;
        return new QueueEntry(id, message, false, stored, deadline, _settings.EffectivePriority(message.Summary.Priority), 0, message.Body.Length);
    }

    /// <summary>
    /// reject-publish(-dlx): the positions of the messages that would take the queue past a limit, in order
    /// (rabbit_amqqueue_process:will_overflow: the queue with the message would be longer or larger than allowed).
    /// </summary>
    private int[]? FindOverflowing(Message[] messages)
    {
        List<int>? rejected = null;
        long count = _ready.Count;
        var bytes = _readyBodyBytes;
        for (var i = 0; i < messages.Length; i++)
        {
            var size = messages[i].Body.Length;
            if (count + 1 > (_settings.MaxLength ?? long.MaxValue) || bytes + size > (_settings.MaxLengthBytes ?? long.MaxValue))
            {
                (rejected ??= new List<int>()).Add(i);
                continue;
            }

            count++;
            bytes += size;
        }

        return rejected?.ToArray();
    }

    /// <summary>Drop what has expired at the heads and, with drop-head, what is over the length limits; dead-letter them.</summary>
    private async ValueTask ApplyLimitsAsync()
    {
        if (_mayExpire)
        {
            DropExpired(NowMilliseconds());
        }

        if (IsLimited && _settings.Overflow == QueueOverflow.DropHead)
        {
            var maxLength = _settings.MaxLength ?? long.MaxValue;
            var maxBytes = _settings.MaxLengthBytes ?? long.MaxValue;
            while (_ready.Count > 0 && (_ready.Count > maxLength || _readyBodyBytes > maxBytes))
            {
                _dying.Add((TakeHead(), DeadLetterReason.MaxLength));
            }
        }

        await FlushDyingAsync();
        ArmExpiry();
    }

    /// <summary>Take the expired messages off the heads (RabbitMQ drops them only there), to be dead-lettered.</summary>
    private void DropExpired(long now)
    {
        while (_ready.TryTakeExpiredHead(now, out var entry))
        {
            Taken(entry);
            _dying.Add((entry, DeadLetterReason.Expired));
        }

        if (_ready.Count == 0)
        {
            _mayExpire = false;
        }
    }

    /// <summary>Arm the expiry timer for the earliest deadline at a head, if it is not armed for it already.</summary>
    private void ArmExpiry()
    {
        var deadline = _mayExpire ? _ready.EarliestHeadDeadline() : 0;
        if (deadline == 0 || deadline == _expiryArmedFor)
        {
            return;
        }

        _expiryArmedFor = deadline;
        var due = TimeSpan.FromMilliseconds(Math.Max(deadline - NowMilliseconds(), 0));
        if (_expiryTimer is null)
        {
            _expiryTimer = this.RegisterGrainTimer(OnExpiryAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        }
        else
        {
            _expiryTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task OnExpiryAsync(CancellationToken cancellationToken)
    {
        _expiryArmedFor = 0;
        if (Declaration is not null)
        {
            await ApplyLimitsAsync();
        }
    }

    /// <summary>
    /// The messages that left this turn other than by delivery: dead-lettered (read back first when paged out) when the
    /// queue has a dead-letter exchange, then removed from the store.
    /// </summary>
    private async ValueTask FlushDyingAsync()
    {
        if (_dying.Count == 0)
        {
            return;
        }

        if (_settings.DeadLetterExchange is { } exchange)
        {
            Dictionary<ulong, Message>? pagedIn = null;
            var paged = _dying.Where(d => d.Entry.Message is null).Select(d => d.Entry.Id).ToArray();
            if (paged.Length > 0)
            {
                pagedIn = new Dictionary<ulong, Message>(paged.Length);
                await foreach (var stored in _store.ReadManyAsync(_key, paged))
                {
                    pagedIn[stored.Id] = Materialize(stored);
                }
            }

            var now = DateTimeOffset.UtcNow;
            var batch = new List<DeadLetter>(_dying.Count);
            foreach (var (entry, reason) in _dying)
            {
                if ((entry.Message ?? pagedIn?.GetValueOrDefault(entry.Id)) is not { } message)
                {
                    continue;
                }

                var routingKeys = SenderSelectedDistribution.RoutingKeys(message.RoutingKey, message.Headers);
                var prepared = DeadLettering.Prepare(
                    message.Properties.Span, reason, Name, message.Exchange, routingKeys, exchange, _settings.DeadLetterRoutingKey, now);
                batch.Add(new DeadLetter(prepared, message.Body, reason));
            }

            _deadLetterPublisher.Publish(VirtualHost, batch);
        }

        foreach (var (entry, _) in _dying)
        {
            if (entry.Stored)
            {
                _storeIds.Add(entry.Id);
            }
        }

        _dying.Clear();
        FlushStoreIds(remove: true);
    }

    /// <summary>
    /// The message as handed out: quorum queues add x-delivery-count (on a copy) to redeliveries and to every basic.get.
    /// </summary>
    private Message Outgoing(in QueueEntry entry, bool basicGet)
    {
        var message = entry.Message!;
        if (_settings.QueueType != QueueType.Quorum || !DeliveryCountHeader.IsCarried(entry.DeliveryCount, basicGet))
        {
            return message;
        }

        var properties = DeliveryCountHeader.Apply(message.Properties.Span, entry.DeliveryCount);
        return new Message(message.Exchange, message.RoutingKey, properties, BasicPropertiesReader.ReadSummary(properties), message.Body);
    }

    /// <summary>
    /// Consumer priorities: among the consumers with credit, those of the highest priority take turns (round-robin from
    /// where the last delivery left off).
    /// </summary>
    private ConsumerSlot? NextByPriority()
    {
        var best = -1;
        for (var tried = 0; tried < _consumers.Count; tried++)
        {
            var index = (_nextConsumer + tried) % _consumers.Count;
            var consumer = _consumers[index];
            if (consumer.HasCredit && (best < 0 || consumer.Priority > _consumers[best].Priority))
            {
                best = index;
            }
        }

        if (best < 0)
        {
            return null;
        }

        _nextConsumer = best + 1;
        return _consumers[best];
    }

    /// <summary>The queue was used (consumer, basic.get, declare): its x-expires lease starts again.</summary>
    private void NoteUsed()
    {
        if (_settings.Expires is not null)
        {
            _lastUsed = NowMilliseconds();
        }
    }

    /// <summary>x-expires: check for disuse when the lease would run out; no timer without x-expires.</summary>
    private void ArmLease()
    {
        if (_settings.Expires is not { } expires || Declaration is null)
        {
            _leaseTimer?.Dispose();
            _leaseTimer = null;
            return;
        }

        var due = TimeSpan.FromMilliseconds(Math.Max(_lastUsed + expires - NowMilliseconds(), 0));
        if (_leaseTimer is null)
        {
            _leaseTimer = this.RegisterGrainTimer(OnLeaseAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        }
        else
        {
            _leaseTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The lease ran out unless the queue was used since: delete it through its virtual host (directory, bindings), as
    /// queue.delete does, without waiting here: the virtual host calls back into this queue to delete it.
    /// </summary>
    private Task OnLeaseAsync(CancellationToken cancellationToken)
    {
        if (_settings.Expires is not { } expires || Declaration is null)
        {
            return Task.CompletedTask;
        }

        if (_consumers.Count > 0 || NowMilliseconds() < _lastUsed + expires)
        {
            _lastUsed = _consumers.Count > 0 ? NowMilliseconds() : _lastUsed;
            ArmLease();
            return Task.CompletedTask;
        }

        _ = DeleteUnusedAsync(GrainFactory.GetGrain<IVirtualHostGrain>(VirtualHost), Name, _state.State.ExclusiveOwner ?? string.Empty);
        return Task.CompletedTask;
    }

    private static async Task DeleteUnusedAsync(IVirtualHostGrain virtualHost, string name, string owner)
    {
        try
        {
            await virtualHost.DeleteQueue(name, ifUnused: true, ifEmpty: false, owner);
        }
        catch (BrokerException)
        {
            // A consumer came in the meantime (in use): the queue stays, and its lease starts again with the next use.
        }
    }

    /// <summary>Write the persistent ones to disk before they become visible (and before the publisher's confirm).</summary>
    private async ValueTask StoreAsync(Message[] messages, ulong firstId, int[]? rejected)
    {
        StoredMessage[]? stored = null;
        var count = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            if (message.IsPersistent && (rejected is null || Array.BinarySearch(rejected, i) < 0))
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
        Taken(entry);
        return entry;
    }

    /// <summary>Account for an entry that left the ready messages.</summary>
    private void Taken(in QueueEntry entry)
    {
        if (entry.Message is { } message)
        {
            _residentBytes -= Size(message);
        }

        _readyBodyBytes -= entry.BodySize;
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
                TakeHead();
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
            var deadline = entry.Deadline;
            if (message.Summary.Expiration is { } expiration
                && MessageDeadline.Compute(_settings.QueueType, null, expiration, QueueMessageIds.EnqueuedAt(entry.Id) ?? NowMilliseconds()) is { } own
                && (deadline == 0 || own < deadline))
            {
                deadline = own;
                _mayExpire = true;
            }

            entry = entry with { Message = message, Deadline = deadline };
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
    private async ValueTask DispatchAsync(bool dropExpired = true)
    {
        if (dropExpired && _mayExpire)
        {
            DropExpired(NowMilliseconds());
        }

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

            pending.Add(new Delivery(consumer.Tag, entry.Id, Outgoing(entry, basicGet: false), entry.Redelivered));
        }

        FlushStoreIds(remove: false);
        SendDeliveries();
        if (dropExpired)
        {
            await FlushDyingAsync();
            ArmExpiry();
        }
    }

    /// <summary>The next consumer in round-robin order that may receive a delivery, advancing past it; null when none may.</summary>
    private ConsumerSlot? NextConsumerWithCredit()
    {
        if (_settings.SingleActiveConsumer)
        {
            // The first attached consumer is the active one; the next takes over when it goes.
            return _consumers.Count > 0 && _consumers[0].HasCredit ? _consumers[0] : null;
        }

        if (_hasConsumerPriorities)
        {
            return NextByPriority();
        }

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
