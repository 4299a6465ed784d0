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
/// </summary>
public sealed class QueueGrain : Grain, IQueueGrain
{
    private readonly IPersistentState<QueueState> _state;
    private readonly IMessageStore _store;
    private readonly List<ulong> _storeIds = new();
    private readonly ReadyMessages _ready = new();
    private readonly Dictionary<ulong, QueueEntry> _unacked = new();
    private readonly List<ConsumerSlot> _consumers = new();
    private ulong _nextId = 1;
    private int _nextConsumer;
    private bool _hadConsumer;

    public QueueGrain(IGrainContext context, IPersistentState<QueueState> state, IMessageStore store)
        : base(context)
    {
        _state = state;
        _store = store;
    }

    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Declaration is not { Durable: true })
        {
            return;
        }

        await foreach (var recovered in _store.RecoverAsync(GrainKey, cancellationToken))
        {
            var stored = recovered.Message;
            var summary = BasicPropertiesReader.ReadSummary(stored.Properties.Span);
            var message = new Message(stored.Exchange, stored.RoutingKey, stored.Properties, summary, stored.Body);
            _ready.Append(new QueueEntry(stored.Id, message, recovered.Delivered));
            _nextId = Math.Max(_nextId, stored.Id + 1);
        }
    }

    /// <summary>Persistent messages in durable queues live in the message store.</summary>
    private bool IsStored(Message message) => message.IsPersistent && Declaration is { Durable: true };

    private QueueDeclaration? Declaration => _state.State.Declaration;

    private string Name => Declaration?.Name ?? GrainKey[(GrainKey.IndexOf('/') + 1)..];

    private string VirtualHost => _state.State.VirtualHost ?? Uri.UnescapeDataString(GrainKey[..GrainKey.IndexOf('/')]);

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
            _ready.Append(new QueueEntry(id++, message, false));
        }

        Dispatch();
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

    public ValueTask Consume(ConsumerRegistration registration, IConsumerObserver observer)
    {
        EnsureExists();
        if (_consumers.Count > 0 && (registration.Exclusive || _consumers[0].Registration.Exclusive))
        {
            throw BrokerException.AccessRefused($"queue '{Name}' in vhost '{VirtualHost}' in exclusive use");
        }

        _consumers.Add(new ConsumerSlot(registration, observer));
        _hadConsumer = true;
        Dispatch();
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> Cancel(IConsumerObserver observer)
    {
        var index = _consumers.FindIndex(c => ReferenceEquals(c.Observer, observer));
        if (index < 0)
        {
            return ValueTask.FromResult(false);
        }

        _consumers.RemoveAt(index);
        if (_nextConsumer > index)
        {
            _nextConsumer--;
        }

        Dispatch();
        return ValueTask.FromResult(_hadConsumer && _consumers.Count == 0 && Declaration is { AutoDelete: true });
    }

    public ValueTask<QueueGetResult> Get(bool noAck)
    {
        EnsureExists();
        if (_ready.Count == 0)
        {
            return ValueTask.FromResult(new QueueGetResult(null, 0));
        }

        var entry = _ready.TakeHead();
        if (!noAck)
        {
            _unacked[entry.Id] = entry;
        }

        if (IsStored(entry.Message))
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

        var delivery = new QueueDelivery(Name, entry.Id, entry.Message, entry.Redelivered);
        return ValueTask.FromResult(new QueueGetResult(delivery, (uint)_ready.Count));
    }

    public ValueTask Settle(ReadOnlyMemory<Settlement> settlements)
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
                requeued = true;
            }
            else if (IsStored(entry.Message))
            {
                _storeIds.Add(entry.Id);
            }
        }

        FlushStoreIds(remove: true);

        if (requeued)
        {
            Dispatch();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ResumeDelivery(IConsumerObserver observer)
    {
        foreach (var consumer in _consumers)
        {
            if (ReferenceEquals(consumer.Observer, observer))
            {
                consumer.Blocked = false;
                Dispatch();
                break;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<uint> Purge()
    {
        EnsureExists();
        var count = (uint)_ready.Count;
        if (Declaration!.Durable)
        {
            while (_ready.Count > 0)
            {
                var entry = _ready.TakeHead();
                if (entry.Message.IsPersistent)
                {
                    _storeIds.Add(entry.Id);
                }
            }

            FlushStoreIds(remove: true);
        }

        _ready.Clear();
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

    private QueueCounts Counts() => new((uint)_ready.Count, (uint)_consumers.Count);

    private void EnsureExists()
    {
        if (Declaration is null)
        {
            throw BrokerException.NotFound($"no queue '{Name}' in vhost '{VirtualHost}'");
        }
    }

    /// <summary>Offer ready messages to consumers with credit, round-robin, until one side runs out.</summary>
    private void Dispatch()
    {
        var blocked = 0;
        while (_ready.Count > 0 && _consumers.Count > 0 && blocked < _consumers.Count)
        {
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

            ref readonly var head = ref _ready.PeekHead();
            var delivery = new QueueDelivery(Name, head.Id, head.Message, head.Redelivered);
            if (!consumer.Observer.TryDeliver(delivery))
            {
                consumer.Blocked = true;
                blocked++;
                _nextConsumer++;
                continue;
            }

            var entry = _ready.TakeHead();
            if (!consumer.Registration.NoAck)
            {
                _unacked[entry.Id] = entry;
            }

            if (IsStored(entry.Message))
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
