using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A classic queue: ready messages in order, delivered-but-unsettled messages by id, and consumers
/// served round-robin. A consumer that refuses an offer (no credit) is skipped until it asks for
/// more with <see cref="ResumeDelivery"/>. Turn-based: no locks here.
/// </summary>
public sealed class QueueGrain : Grain, IQueueGrain
{
    private readonly IPersistentState<QueueState> _state;
    private readonly ReadyMessages _ready = new();
    private readonly Dictionary<ulong, QueueEntry> _unacked = new();
    private readonly List<ConsumerSlot> _consumers = new();
    private ulong _nextId = 1;
    private int _nextConsumer;
    private bool _hadConsumer;

    public QueueGrain(IGrainContext context, IPersistentState<QueueState> state)
        : base(context)
    {
        _state = state;
    }

    private QueueDeclaration? Declaration => _state.State.Declaration;

    private string Name => Declaration?.Name ?? GrainKey[(GrainKey.IndexOf('/') + 1)..];

    private string VirtualHost => _state.State.VirtualHost ?? Uri.UnescapeDataString(GrainKey[..GrainKey.IndexOf('/')]);

    public async ValueTask Create(string vhost, QueueDeclaration declaration, string? exclusiveOwner)
    {
        _state.State = new QueueState { VirtualHost = vhost, Declaration = declaration, ExclusiveOwner = exclusiveOwner };
        await _state.WriteStateAsync();
    }

    public ValueTask<QueueCounts> GetCounts() => ValueTask.FromResult(Counts());

    public ValueTask Enqueue(ReadOnlyMemory<Message> messages)
    {
        if (Declaration is null)
        {
            // Deleted between routing and enqueue: the message had nowhere to go.
            return ValueTask.CompletedTask;
        }

        foreach (var message in messages.Span)
        {
            _ready.Append(new QueueEntry(_nextId++, message, false));
        }

        Dispatch();
        return ValueTask.CompletedTask;
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
        }

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
        return ValueTask.FromResult((uint)_ready.Clear());
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

            blocked = 0;
            _nextConsumer++;
        }
    }
}
