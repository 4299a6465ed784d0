using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// The queue.declare rules that depend on the queue type, with RabbitMQ 3.10's texts (406 PRECONDITION_FAILED):
/// a quorum queue must be durable, not exclusive and not auto-delete (checked in that RabbitMQ order: auto-delete,
/// exclusive, durable), and only classic queues may be server-named. RabbitMQ checks the server-named rule first of
/// all, then the arguments (<see cref="QueueArgumentValidation"/>), then these properties.
/// </summary>
public static class QueueDeclarationRules
{
    /// <summary>"Cannot declare a server-named queue for type rabbit_quorum_queue", or null when allowed.</summary>
    public static string? FindServerNamedError(QueueType type) =>
        QueueTypeCapabilities.AllowsServerNamed(type) ? null : $"Cannot declare a server-named queue for type {QueueTypeNames.ModuleName(type)}";

    /// <summary>"invalid property 'auto-delete' for queue 'q' in vhost '/'" and the like, or null when allowed.</summary>
    public static string? FindPropertyError(QueueType type, string virtualHost, string queueName, bool durable, bool exclusive, bool autoDelete)
    {
        if (type == QueueType.Classic)
        {
            return null;
        }

        var property = autoDelete ? "auto-delete" : exclusive ? "exclusive-owner" : !durable ? "non-durable" : null;
        return property is null ? null : $"invalid property '{property}' for {QueueResourceText.Of(virtualHost, queueName)}";
    }

    /// <summary>Throws <see cref="BrokerException"/> 406 when <see cref="FindPropertyError"/> finds a broken rule.</summary>
    public static void ValidateProperties(QueueType type, string virtualHost, string queueName, bool durable, bool exclusive, bool autoDelete)
    {
        if (FindPropertyError(type, virtualHost, queueName, durable, exclusive, autoDelete) is { } detail)
        {
            throw BrokerException.PreconditionFailed(detail);
        }
    }
}
