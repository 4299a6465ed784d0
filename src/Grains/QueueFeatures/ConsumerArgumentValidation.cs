using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// The checks RabbitMQ 3.10 makes on basic.consume arguments (rabbit_amqqueue:check_consume_arguments), with its
/// texts: x-priority must be an integer of any sign and width, x-cancel-on-ha-failover a boolean (classic queues);
/// an argument only another queue type knows (x-stream-offset on a classic queue) is refused by name; unknown ones
/// are ignored. Every refusal is 406 PRECONDITION_FAILED.
/// </summary>
public static class ConsumerArgumentValidation
{
    /// <summary>The consumer priority (x-priority), 0 when absent; call after <see cref="FindError"/> found nothing.</summary>
    public static long Priority(FieldTable arguments) => arguments.TryGetInt64("x-priority", out var priority) ? priority : 0;

    public static void Validate(QueueType type, string virtualHost, string queueName, FieldTable arguments)
    {
        if (FindError(type, virtualHost, queueName, arguments) is { } detail)
        {
            throw BrokerException.PreconditionFailed(detail);
        }
    }

    /// <summary>The reply text after "PRECONDITION_FAILED - ", or null when every argument is acceptable.</summary>
    public static string? FindError(QueueType type, string virtualHost, string queueName, FieldTable arguments)
    {
        var resource = QueueResourceText.Of(virtualHost, queueName);
        var known = QueueTypeCapabilities.ConsumerArguments(type);

        // rabbit_amqqueue:consume_args/0 order; x-stream-offset is only known to streams, which are not supported.
        if (known.Contains("x-priority") && arguments.TryGetValue("x-priority", out var priority) && !FieldTable.TryConvertToInt64(priority, out _))
        {
            return $"invalid arg 'x-priority' for {resource}: " + ErlangStringText.Format($"expected integer, got {ErlangTermText.TypeName(priority)}");
        }

        if (known.Contains("x-cancel-on-ha-failover") && arguments.TryGetValue("x-cancel-on-ha-failover", out var cancel) && cancel is not bool)
        {
            return $"invalid arg 'x-cancel-on-ha-failover' for {resource}: {{unacceptable_type,{ErlangTermText.TypeName(cancel)}}}";
        }

        foreach (var (key, _) in arguments)
        {
            if (QueueTypeCapabilities.AllConsumerArguments.Contains(key) && !known.Contains(key))
            {
                return $"invalid arg '{key}' for {resource} of queue type {QueueTypeNames.ModuleName(type)}";
            }
        }

        return null;
    }
}
