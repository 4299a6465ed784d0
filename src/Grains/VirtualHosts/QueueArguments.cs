using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// The type and range checks RabbitMQ applies to queue.declare arguments when it creates a queue
/// (rabbit_amqqueue:declare_args); a bad one is 406 "invalid arg 'x-…' for queue '…' in vhost '…': reason".
/// </summary>
internal static class QueueArguments
{
    public static void Validate(FieldTable arguments, string resource)
    {
        foreach (var (key, value) in arguments)
        {
            var error = key switch
            {
                "x-message-ttl" => NonNegativeInteger(value),
                "x-expires" => PositiveInteger(value),
                "x-max-length" or "x-max-length-bytes" or "x-delivery-limit" or "x-max-in-memory-length" or "x-max-in-memory-bytes" => NonNegativeInteger(value),
                "x-max-priority" => Priority(value),
                "x-dead-letter-exchange" or "x-dead-letter-routing-key" => LongString(value),
                "x-single-active-consumer" => value is bool ? null : $"{{unacceptable_type,{ErlangTermText.TypeName(value)}}}",
                "x-overflow" => OneOf(value, "drop-head", "reject-publish", "reject-publish-dlx"),
                "x-queue-mode" => OneOf(value, "default", "lazy"),
                "x-queue-type" => OneOf(value, "classic", "quorum", "stream"),
                "x-queue-master-locator" => OneOf(value, "min-masters", "client-local", "random"),
                "x-queue-leader-locator" => OneOf(value, "client-local", "balanced"),
                _ => null,
            };

            if (error is not null)
            {
                throw BrokerException.PreconditionFailed($"invalid arg '{key}' for {resource}: {error}");
            }
        }
    }

    private static string? NonNegativeInteger(object? value) => Integer(value, out var n) is { } error ? error
        : n < 0 ? $"{{value_negative,{n}}}" : null;

    private static string? PositiveInteger(object? value) => Integer(value, out var n) is { } error ? error
        : n < 0 ? $"{{value_negative,{n}}}" : n == 0 ? $"{{value_zero,{n}}}" : null;

    private static string? Priority(object? value) => Integer(value, out var n) is { } error ? error
        : n < 0 ? $"{{value_negative,{n}}}" : n > 255 ? $"{{value_too_big,{n}}}" : null;

    private static string? Integer(object? value, out long result) =>
        FieldTable.TryConvertToInt64(value, out result) ? null : $"\"expected integer, got {ErlangTermText.TypeName(value)}\"";

    private static string? LongString(object? value) =>
        value is string or AmqpLongString ? null : $"{{unacceptable_type,{ErlangTermText.TypeName(value)}}}";

    private static string? OneOf(object? value, params string[] allowed)
    {
        var text = value switch
        {
            string s => s,
            AmqpLongString l => l.ToString(),
            _ => null,
        };
        if (text is null)
        {
            return $"{{unacceptable_type,{ErlangTermText.TypeName(value)}}}";
        }

        return Array.IndexOf(allowed, text) >= 0 ? null : $"{{unacceptable_value,<<\"{text}\">>}}";
    }
}
