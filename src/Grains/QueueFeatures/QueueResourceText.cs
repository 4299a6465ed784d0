namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>How RabbitMQ names a queue in its texts (rabbit_misc:rs): "queue 'q' in vhost '/'".</summary>
public static class QueueResourceText
{
    public static string Of(string virtualHost, string queueName) => $"queue '{queueName}' in vhost '{virtualHost}'";
}
