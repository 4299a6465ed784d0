using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// Keeps a <see cref="VirtualHostRoutingTable"/> in step with the virtual host grain: a snapshot, then numbered
/// updates. Holds the bindings of every exchange to rebuild an exchange's router when one of them changes (routers
/// are immutable; publishers read them without a lock). Not thread-safe: its owner serializes calls.
/// </summary>
public sealed class RoutingReplica(VirtualHostRoutingTable table)
{
    private readonly Dictionary<string, (ExchangeDeclaration Declaration, HashSet<Binding> Bindings)> _exchanges = new(StringComparer.Ordinal);
    private readonly HashSet<string> _queues = new(StringComparer.Ordinal);

    public VirtualHostRoutingTable Table { get; } = table;

    /// <summary>The version applied last; default before the first snapshot.</summary>
    public RoutingVersion Version { get; private set; }

    public bool HasSnapshot => Version.Epoch != Guid.Empty;

    /// <summary>A queue's home node went down (true) or came back (false); raised while the change is applied.</summary>
    public event Action<string, bool>? QueueAvailabilityChanged;

    /// <summary>Replace everything with a snapshot.</summary>
    public void Load(RoutingSnapshot snapshot)
    {
        foreach (var name in _exchanges.Keys)
        {
            Table.RemoveExchange(name);
        }

        foreach (var name in _queues)
        {
            Table.RemoveQueue(name);
        }

        _exchanges.Clear();
        _queues.Clear();
        foreach (var queue in snapshot.Queues)
        {
            _queues.Add(queue);
            Table.AddQueue(queue);
        }

        foreach (var queue in snapshot.DownQueues)
        {
            Table.SetQueueDown(queue, true);
        }

        foreach (var exchange in snapshot.Exchanges)
        {
            _exchanges[exchange.Declaration.Name] = (exchange.Declaration, new HashSet<Binding>(exchange.Bindings));
            Publish(exchange.Declaration.Name);
        }

        Version = new RoutingVersion(snapshot.Epoch, snapshot.Version);
    }

    /// <summary>Apply the next update; false when it does not follow the version applied last (a snapshot is needed).</summary>
    public bool TryApply(RoutingUpdate update)
    {
        if (update.Epoch == Version.Epoch && update.Version <= Version.Version)
        {
            return true; // already applied (a snapshot taken after it was sent)
        }

        if (update.Epoch != Version.Epoch || update.Version != Version.Version + 1)
        {
            return false;
        }

        foreach (var change in update.Changes)
        {
            Apply(change);
        }

        Version = new RoutingVersion(update.Epoch, update.Version);
        return true;
    }

    private void Apply(RoutingChange change)
    {
        switch (change.Kind)
        {
            case RoutingChangeKind.ExchangeDeclared:
                _exchanges[change.Name] = (change.Exchange!, new HashSet<Binding>());
                Publish(change.Name);
                break;
            case RoutingChangeKind.ExchangeUpdated:
                if (_exchanges.TryGetValue(change.Name, out var updated))
                {
                    _exchanges[change.Name] = (change.Exchange!, updated.Bindings);
                    Publish(change.Name);
                }

                break;
            case RoutingChangeKind.ExchangeDeleted:
                _exchanges.Remove(change.Name);
                Table.RemoveExchange(change.Name);
                break;
            case RoutingChangeKind.BindingAdded:
                if (_exchanges.TryGetValue(change.Name, out var added) && added.Bindings.Add(change.Binding!))
                {
                    Publish(change.Name);
                }

                break;
            case RoutingChangeKind.BindingRemoved:
                if (_exchanges.TryGetValue(change.Name, out var removed) && removed.Bindings.Remove(change.Binding!))
                {
                    Publish(change.Name);
                }

                break;
            case RoutingChangeKind.QueueAdded:
                _queues.Add(change.Name);
                Table.AddQueue(change.Name);
                break;
            case RoutingChangeKind.QueueDeleted:
                _queues.Remove(change.Name);
                Table.RemoveQueue(change.Name);
                break;
            case RoutingChangeKind.QueueDown:
            case RoutingChangeKind.QueueUp:
                Table.SetQueueDown(change.Name, change.Kind == RoutingChangeKind.QueueDown);
                QueueAvailabilityChanged?.Invoke(change.Name, change.Kind == RoutingChangeKind.QueueDown);
                break;
        }
    }

    private void Publish(string exchange)
    {
        var (declaration, bindings) = _exchanges[exchange];
        Table.SetExchange(declaration, ExchangeTypes.CreateRouter(declaration.Type, bindings));
    }
}
