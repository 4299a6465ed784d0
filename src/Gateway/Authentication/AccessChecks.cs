using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>
/// RabbitMQ's access-control table (rabbit_channel, 3.10), checked for one channel before each method reaches a
/// grain: configure to declare or delete a queue or an exchange; write on the destination and read on the source to
/// bind or unbind; write on the exchange to publish (the default exchange is "amq.default" there); read on the queue to
/// consume, get or purge; topic permissions on the routing key of a publish to (write) or a bind from (read) a topic
/// exchange. What RabbitMQ refuses before its check (the default exchange, amq.* names, a passive declare) is left to
/// the grains, so the same error wins. Refusals are 403 ACCESS_REFUSED with RabbitMQ's texts.
/// A publish checks the exchange once per channel: later publishes to it are a reference compare or a dictionary hit.
/// </summary>
internal sealed class AccessChecks(ConnectionPermissions permissions, VirtualHostRoutingTable routes)
{
    private const string DefaultExchangeResource = "amq.default";

    private const string DirectReplyTo = "amq.rabbitmq.reply-to";

    private readonly HashSet<string> _writableExchanges = new(StringComparer.Ordinal);
    private string? _lastWritableExchange;

    public bool IsImpersonator => permissions.IsImpersonator;

    /// <summary>basic.publish: write on the exchange, then, for a topic exchange, the routing key.</summary>
    public void Publish(string exchange, string routingKey)
    {
        if (!ReferenceEquals(exchange, _lastWritableExchange))
        {
            if (!_writableExchanges.Contains(exchange))
            {
                Require(ResourceAccess.Write, Kind.Exchange, exchange, AmqpMethodIds.BasicPublish);
                _writableExchanges.Add(exchange);
            }

            _lastWritableExchange = exchange;
        }

        if (permissions.HasTopicPermissions)
        {
            RequireTopic(ResourceAccess.Write, exchange, routingKey, AmqpMethodIds.BasicPublish);
        }
    }

    /// <summary>exchange.declare (not passive): configure; a new exchange with an alternate exchange needs read on it and write on that.</summary>
    public void ExchangeDeclare(string exchange, bool passive, FieldTable arguments)
    {
        if (passive || exchange.Length == 0)
        {
            return;
        }

        Require(ResourceAccess.Configure, Kind.Exchange, exchange, AmqpMethodIds.ExchangeDeclare);
        if (!routes.TryGetExchange(exchange, out _) && !exchange.StartsWith("amq.", StringComparison.Ordinal)
            && arguments.GetString("alternate-exchange") is { } alternate)
        {
            Require(ResourceAccess.Read, Kind.Exchange, exchange, AmqpMethodIds.ExchangeDeclare);
            Require(ResourceAccess.Write, Kind.Exchange, alternate, AmqpMethodIds.ExchangeDeclare);
        }
    }

    /// <summary>exchange.delete: configure (the default exchange and amq.* ones are refused before, by the virtual host).</summary>
    public void ExchangeDelete(string exchange)
    {
        if (exchange.Length > 0 && !exchange.StartsWith("amq.", StringComparison.Ordinal))
        {
            Require(ResourceAccess.Configure, Kind.Exchange, exchange, AmqpMethodIds.ExchangeDelete);
        }
    }

    /// <summary>queue.declare (not passive) of a named queue: configure; a new queue with a dead-letter exchange needs read on it and write on that.</summary>
    public void QueueDeclare(string queue, bool passive, FieldTable arguments)
    {
        // A server-named queue is checked under its name once it has one (DeclaredServerNamed); an amq.* name is refused
        // before the check (or is direct reply-to, which needs none).
        if (passive || queue.Length == 0 || queue.StartsWith("amq.", StringComparison.Ordinal))
        {
            return;
        }

        Require(ResourceAccess.Configure, Kind.Queue, queue, AmqpMethodIds.QueueDeclare);
        if (!routes.QueueExists(queue) && arguments.GetString("x-dead-letter-exchange") is { } deadLetterExchange)
        {
            Require(ResourceAccess.Read, Kind.Queue, queue, AmqpMethodIds.QueueDeclare);
            Require(ResourceAccess.Write, Kind.Exchange, deadLetterExchange, AmqpMethodIds.QueueDeclare);
        }
    }

    /// <summary>
    /// A server-named queue is checked under the name the virtual host gave it, as RabbitMQ checks the name it made:
    /// when configure does not match it, the queue goes again and the declare is refused with that name.
    /// </summary>
    public async ValueTask ServerNamedQueueDeclaredAsync(string askedName, string queue, IVirtualHostGrain vhost, string connectionId)
    {
        if (askedName.Length == 0 && !permissions.Allows(ResourceAccess.Configure, queue))
        {
            await vhost.DeleteQueue(queue, ifUnused: false, ifEmpty: false, connectionId);
            throw Refused(Kind.Queue, queue, AmqpMethodIds.QueueDeclare);
        }
    }

    /// <summary>queue.delete: configure.</summary>
    public void QueueDelete(string queue) => Require(ResourceAccess.Configure, Kind.Queue, queue, AmqpMethodIds.QueueDelete);

    /// <summary>queue.purge, basic.get, basic.consume: read on the queue.</summary>
    public void ReadQueue(string queue, uint methodId)
    {
        // Direct reply-to's pseudo-queue needs no permission (rabbit_channel consumes from it before any check).
        if (!string.Equals(queue, DirectReplyTo, StringComparison.Ordinal))
        {
            Require(ResourceAccess.Read, Kind.Queue, queue, methodId);
        }
    }

    /// <summary>queue.bind / queue.unbind: write on the queue, read on the exchange, and the topic permission of the key.</summary>
    public void QueueBind(string queue, string exchange, string routingKey, uint methodId) =>
        Bind(Kind.Queue, queue, exchange, routingKey, methodId);

    /// <summary>exchange.bind / exchange.unbind: write on the destination, read on the source, and the topic permission of the key.</summary>
    public void ExchangeBind(string destination, string source, string routingKey, uint methodId) =>
        Bind(Kind.Exchange, destination, source, routingKey, methodId);

    private void Bind(Kind destinationKind, string destination, string source, string routingKey, uint methodId)
    {
        // RabbitMQ checks write on the destination first, then refuses the default exchange at either end.
        if (destinationKind == Kind.Queue || destination.Length > 0)
        {
            Require(ResourceAccess.Write, destinationKind, destination, methodId);
        }

        if (source.Length == 0 || (destinationKind == Kind.Exchange && destination.Length == 0))
        {
            return;
        }

        Require(ResourceAccess.Read, Kind.Exchange, source, methodId);
        if (permissions.HasTopicPermissions)
        {
            RequireTopic(ResourceAccess.Read, source, routingKey, methodId);
        }
    }

    private void RequireTopic(ResourceAccess access, string exchange, string routingKey, uint methodId)
    {
        if (routes.TryGetExchange(exchange, out var declaration) && ConnectionPermissions.IsTopicExchange(declaration.Type)
            && !permissions.AllowsTopic(access, exchange, routingKey))
        {
            throw new AmqpProtocolException(ReplyCode.AccessRefused,
                $"access to topic '{routingKey}' in exchange '{exchange}' in vhost '{permissions.VirtualHost}' refused for user '{permissions.User}'", methodId);
        }
    }

    private void Require(ResourceAccess access, Kind kind, string name, uint methodId)
    {
        var resource = kind == Kind.Exchange && name.Length == 0 ? DefaultExchangeResource : name;
        if (!permissions.Allows(access, resource))
        {
            throw Refused(kind, resource, methodId);
        }
    }

    private AmqpProtocolException Refused(Kind kind, string name, uint methodId) => new(ReplyCode.AccessRefused,
        $"access to {(kind == Kind.Queue ? "queue" : "exchange")} '{name}' in vhost '{permissions.VirtualHost}' refused for user '{permissions.User}'", methodId);

    private enum Kind
    {
        Queue,
        Exchange,
    }
}
