using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// The routing snapshot of one virtual host that publishers read without calling any grain:
/// exchange name to (declaration, router), and the set of queue names (for the default exchange).
/// Exchange grains and the vhost grain write it; gateways read it from many threads. Readers take no
/// lock: each exchange is one immutable <see cref="ExchangeSnapshot"/> swapped in whole.
/// </summary>
public sealed class VirtualHostRoutingTable
{
    /// <summary>The default exchange "": always there, direct and durable, never stored in the table.</summary>
    public static readonly ExchangeDeclaration DefaultExchange = new("", ExchangeTypes.Direct, Durable: true, AutoDelete: false, Internal: false, FieldTable.Empty);

    private readonly ConcurrentDictionary<string, ExchangeSnapshot> _exchanges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _queues = new(StringComparer.Ordinal);

    public VirtualHostRoutingTable(string vhost)
    {
        VirtualHost = vhost;
    }

    public string VirtualHost { get; }

    /// <summary>Adds or replaces an exchange; a binding change is a new router for the same declaration.</summary>
    /// <exception cref="ArgumentException">The name is "", the default exchange, which cannot be replaced.</exception>
    public void SetExchange(ExchangeDeclaration declaration, ExchangeRouter router)
    {
        if (declaration.Name.Length == 0)
        {
            throw new ArgumentException("the default exchange is implicit and cannot be set", nameof(declaration));
        }

        _exchanges[declaration.Name] = new ExchangeSnapshot(declaration, router);
    }

    /// <summary>Removes an exchange; removing "" (the default exchange) or an unknown name does nothing.</summary>
    public void RemoveExchange(string name) => _exchanges.TryRemove(name, out _);

    public bool TryGetExchange(string name, [NotNullWhen(true)] out ExchangeDeclaration? declaration)
    {
        if (name.Length == 0)
        {
            declaration = DefaultExchange;
            return true;
        }

        declaration = _exchanges.TryGetValue(name, out var exchange) ? exchange.Declaration : null;
        return declaration is not null;
    }

    public void AddQueue(string name) => _queues.TryAdd(name, 0);

    public void RemoveQueue(string name) => _queues.TryRemove(name, out _);

    /// <summary>
    /// A queue whose home node is down stays in the table but takes no messages: routing skips it, as RabbitMQ's
    /// does (so a mandatory publish that only reached it comes back NO_ROUTE, and a confirm still acks).
    /// </summary>
    public void SetQueueDown(string name, bool down)
    {
        if (_queues.ContainsKey(name))
        {
            _queues[name] = down ? (byte)1 : (byte)0;
        }
    }

    /// <summary>Whether the queue exists and its node is up: messages routed to it are enqueued.</summary>
    public bool QueueExists(string name) => _queues.TryGetValue(name, out var down) && down == 0;

    /// <summary>
    /// Route a message published to <paramref name="exchange"/>: fills <paramref name="result"/> with
    /// the queue names it reaches, each once. False when the exchange does not exist.
    /// </summary>
    /// <remarks>
    /// As RabbitMQ's rabbit_exchange:route does it:
    /// <list type="bullet">
    /// <item>The default exchange sends to the queue named by the routing key, if there is one.</item>
    /// <item>Exchange destinations (exchange.bind) are routed in turn, each exchange at most once per
    /// publish (the one published to included), so cycles end.</item>
    /// <item>An exchange whose bindings match nothing at all (no queue and no exchange) hands the message
    /// to its alternate exchange, which is routed like any other reached exchange. An exchange that
    /// matched only exchanges which in turn route nowhere does not use its alternate exchange.</item>
    /// <item>Reached exchanges and queues that do not exist (any more) are skipped; so is the default
    /// exchange when reached as an alternate exchange, as RabbitMQ routes it by bindings, and it has none.</item>
    /// </list>
    /// </remarks>
    public bool Route(string exchange, Message message, RoutingResult result)
    {
        result.Clear();
        if (exchange.Length == 0)
        {
            if (QueueExists(message.RoutingKey))
            {
                result.AddQueue(message.RoutingKey);
            }

            return true;
        }

        if (!_exchanges.TryGetValue(exchange, out var publishedTo))
        {
            return false;
        }

        var pending = result.PendingExchanges;
        var destinations = result.Destinations;
        pending.Add(publishedTo);
        for (var next = 0; next < pending.Count; next++)
        {
            if (next == 1)
            {
                result.StartDeduplicatingQueues();
            }

            var current = pending[next];
            destinations.Clear();
            current.Router.Route(message, destinations);

            if (destinations.Count == 0)
            {
                if (current.AlternateExchange is { } alternate)
                {
                    Reach(alternate, exchange, result);
                }

                continue;
            }

            foreach (var destination in destinations)
            {
                if (destination.Kind == DestinationKind.Exchange)
                {
                    Reach(destination.Name, exchange, result);
                }
                else if (QueueExists(destination.Name))
                {
                    result.AddQueue(destination.Name);
                }
            }
        }

        destinations.Clear();
        pending.Clear(); // Drop the references so replaced routers can be collected.
        return true;
    }

    private void Reach(string exchange, string publishedTo, RoutingResult result)
    {
        if (result.TryVisitExchange(exchange, publishedTo) && _exchanges.TryGetValue(exchange, out var reached))
        {
            result.PendingExchanges.Add(reached);
        }
    }
}
