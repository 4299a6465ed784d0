namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>The names of queue types as clients write them and as RabbitMQ's error texts print them.</summary>
public static class QueueTypeNames
{
    public const string Classic = "classic";
    public const string Quorum = "quorum";
    public const string Stream = "stream";

    /// <summary>The x-queue-type value: "classic" or "quorum" (what listings and the management API show as "type").</summary>
    public static string ArgumentValue(QueueType type) => type switch
    {
        QueueType.Classic => Classic,
        QueueType.Quorum => Quorum,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>
    /// The Erlang module RabbitMQ names in its texts ("... of queue type rabbit_quorum_queue",
    /// "Cannot declare a server-named queue for type rabbit_quorum_queue").
    /// </summary>
    public static string ModuleName(QueueType type) => type switch
    {
        QueueType.Classic => "rabbit_classic_queue",
        QueueType.Quorum => "rabbit_quorum_queue",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The type named by a queue's arguments: x-queue-type when it is "classic" or "quorum", else classic.</summary>
    public static QueueType FromArguments(Amqp.FieldTable arguments) =>
        string.Equals(arguments.GetString("x-queue-type"), Quorum, StringComparison.Ordinal) ? QueueType.Quorum : QueueType.Classic;
}
