using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Runtime;
using OrleansBroker.Grains.Storage;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A classic queue: ready messages in order, delivered-but-unsettled messages by id, and consumers
/// served round-robin. A consumer that refuses an offer (no credit) is skipped until it asks for
/// more with <see cref="ResumeDelivery"/>. Turn-based: no locks here.
/// A durable queue keeps its persistent messages in the message store: an enqueue completes once
/// they are on disk (so confirms mean it), deliveries and settlements are recorded behind, and a
/// new activation (after a restart) recovers them, delivered ones flagged redelivered.
/// Once the ready messages hold more than the resident limit of bytes, further persistent ones keep
/// only their id in memory (paged); they are read back in batches as they near the head, as
/// RabbitMQ's lazy and classic v2 queues do, so a backlog larger than memory costs a few dozen bytes
/// a message.
/// </summary>
public sealed class QueueGrain : Grain, IQueueGrain
{
    /// <summary>How many paged messages one read from the store brings back at most.</summary>
    private const int PageInBatch = 512;

    private readonly IPersistentState<QueueState> _state;
    private readonly IMessageStore _store;
    private readonly long _residentLimit;
    private readonly List<ulong> _storeIds = new();
    private readonly ReadyMessages _ready = new();
    private readonly Dictionary<ulong, QueueEntry> _unacked = new();
    private readonly List<ConsumerSlot> _consumers = new();
    private ulong _nextId = 1;
    private int _nextConsumer;
    private bool _hadConsumer;

    /// <summary>Bytes (properties and bodies) of the ready messages held in memory.</summary>
    private long _residentBytes;

    /// <param name="residentLimit">Bytes of ready messages kept in memory before persistent ones are paged out.</param>
    public QueueGrain(IGrainContext context, IPersistentState<QueueState> state, IMessageStore store, long residentLimit)
        : base(context)
    {
        _state = state;
        _store = store;
        _residentLimit = residentLimit;
    }

    private QueueDeclaration? Declaration => _state.State.Declaration;

    private string Name => Declaration?.Name ?? GrainKey[(GrainKey.IndexOf('/') + 1)..];

    private string VirtualHost => _state.State.VirtualHost ?? Uri.UnescapeDataString(GrainKey[..GrainKey.IndexOf('/')]);

    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Declaration is not { Durable: true })
        {
            return;
        }

        await foreach (var recovered in _store.RecoverAsync(GrainKey, _residentLimit, cancellationToken))
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

    public async ValueTask Create(string vhost, QueueDeclaration declaration, string? exclusiveOwner)
    {
        _state.State = new QueueState { VirtualHost = vhost, Declaration = declaration, ExclusiveOwner = exclusiveOwner };
        await _state.WriteStateAsync();
    }

    public ValueTask<QueueCounts> GetCounts() => ValueTask.FromResult(Counts());

    public async ValueTask Enqueue(ReadOnlyMemory<Message> messages)
    {
        if (Declaration is null)
        {
            // Deleted between routing and enqueue: the message had nowhere to go.
            return;
        }

        var firstId = _nextId;
        _nextId += (ulong)messages.Length;
        if (Declaration.Durable)
        {
            await StoreAsync(messages, firstId);
        }

        var id = firstId;
        foreach (var message in messages.Span)
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
        EnsureExists();
        if (_consumers.Count > 0 && (registration.Exclusive || _consumers[0].Registration.Exclusive))
        {
            throw BrokerException.AccessRefused($"queue '{Name}' in vhost '{VirtualHost}' in exclusive use");
        }

        _consumers.Add(new ConsumerSlot(registration, observer));
        _hadConsumer = true;
        await DispatchAsync();
    }

    public async ValueTask<bool> Cancel(IConsumerObserver observer)
    {
        var index = _consumers.FindIndex(c => ReferenceEquals(c.Observer, observer));
        if (index < 0)
        {
            return false;
        }

        _consumers.RemoveAt(index);
        if (_nextConsumer > index)
        {
            _nextConsumer--;
        }

        await DispatchAsync();
        return _hadConsumer && _consumers.Count == 0 && Declaration is { AutoDelete: true };
    }

    public async ValueTask<QueueGetResult> Get(bool noAck)
    {
        EnsureExists();
        if (!await EnsureHeadResidentAsync())
        {
            return new QueueGetResult(null, 0);
        }

        var entry = TakeHead();
        if (!noAck)
        {
            _unacked[entry.Id] = entry;
        }

        if (entry.Stored)
        {
            ReadOnlySpan<ulong> id = [entry.Id];
            if (noAck)
            {
                _store.Remove(GrainKey, id);
            }
            else
            {
                _store.MarkDelivered(GrainKey, id);
            }
        }

        var delivery = new QueueDelivery(Name, entry.Id, entry.Message!, entry.Redelivered);
        return new QueueGetResult(delivery, (uint)_ready.Count);
    }

    public async ValueTask Settle(ReadOnlyMemory<Settlement> settlements)
    {
        var requeued = false;
        foreach (var settlement in settlements.Span)
        {
            if (!_unacked.Remove(settlement.MessageId, out var entry))
            {
                continue;
            }

            if (settlement.Kind == SettlementKind.Requeue && Declaration is not null)
            {
                _ready.Insert(entry with { Redelivered = true });
                _residentBytes += Size(entry.Message!);
                requeued = true;
            }
            else if (entry.Stored)
            {
                _storeIds.Add(entry.Id);
            }
        }

        FlushStoreIds(remove: true);
        if (requeued)
        {
            await DispatchAsync();
        }
    }

    public async ValueTask ResumeDelivery(IConsumerObserver observer)
    {
        foreach (var consumer in _consumers)
        {
            if (ReferenceEquals(consumer.Observer, observer))
            {
                consumer.Blocked = false;
                await DispatchAsync();
                break;
            }
        }
    }

    public ValueTask<uint> Purge()
    {
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

        var consumers = _consumers.ToArray();
        _consumers.Clear();
        foreach (var consumer in consumers)
        {
            consumer.Observer.OnQueueDeleted();
        }

        var count = (uint)_ready.Clear();
        _residentBytes = 0;
        _unacked.Clear();
        if (Declaration.Durable)
        {
            await _store.DeleteQueueAsync(GrainKey);
        }

        await _state.ClearStateAsync();
        _state.State = new QueueState();
        DeactivateOnIdle();
        return count;
    }

    /// <summary>Write the persistent ones to disk before they become visible (and before the publisher's confirm).</summary>
    private async ValueTask StoreAsync(ReadOnlyMemory<Message> messages, ulong firstId)
    {
        StoredMessage[]? stored = null;
        var count = 0;
        var span = messages.Span;
        for (var i = 0; i < span.Length; i++)
        {
            var message = span[i];
            if (message.IsPersistent)
            {
                stored ??= new StoredMessage[span.Length];
                stored[count++] = new StoredMessage(firstId + (ulong)i, message.Exchange, message.RoutingKey, message.Properties, message.Body);
            }
        }

        if (stored is not null)
        {
            await _store.AppendAsync(GrainKey, stored.AsMemory(0, count));
        }
    }

    /// <summary>Persistent messages in durable queues live in the message store.</summary>
    private bool IsStored(Message message) => message.IsPersistent && Declaration is { Durable: true };

    private static long Size(Message message) => message.Properties.Length + message.Body.Length;

    private static Message Materialize(in StoredMessage stored) =>
        new(stored.Exchange, stored.RoutingKey, stored.Properties, BasicPropertiesReader.ReadSummary(stored.Properties.Span), stored.Body);

    private QueueCounts Counts() => new((uint)_ready.Count, (uint)_consumers.Count);

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
        await foreach (var stored in _store.ReadManyAsync(GrainKey, ids.ToArray()))
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

    /// <summary>Offer ready messages to consumers with credit, round-robin, until one side runs out.</summary>
    private async ValueTask DispatchAsync()
    {
        var blocked = 0;
        while (_ready.Count > 0 && _consumers.Count > 0 && blocked < _consumers.Count)
        {
            if (_ready.PeekHead().Message is null && !await EnsureHeadResidentAsync())
            {
                break;
            }

            if (_nextConsumer >= _consumers.Count)
            {
                _nextConsumer = 0;
            }

            var consumer = _consumers[_nextConsumer];
            if (consumer.Blocked)
            {
                blocked++;
                _nextConsumer++;
                continue;
            }

            var head = _ready.PeekHead();
            var delivery = new QueueDelivery(Name, head.Id, head.Message!, head.Redelivered);
            if (!consumer.Observer.TryDeliver(delivery))
            {
                consumer.Blocked = true;
                blocked++;
                _nextConsumer++;
                continue;
            }

            var entry = TakeHead();
            if (!consumer.Registration.NoAck)
            {
                _unacked[entry.Id] = entry;
            }

            if (entry.Stored)
            {
                if (consumer.Registration.NoAck)
                {
                    _store.Remove(GrainKey, [entry.Id]);
                }
                else
                {
                    _storeIds.Add(entry.Id);
                }
            }

            blocked = 0;
            _nextConsumer++;
        }

        FlushStoreIds(remove: false);
    }

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
            _store.Remove(GrainKey, ids);
        }
        else
        {
            _store.MarkDelivered(GrainKey, ids);
        }

        _storeIds.Clear();
    }
}
