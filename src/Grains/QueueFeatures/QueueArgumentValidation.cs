using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// The checks RabbitMQ 3.10 makes on queue.declare arguments when it creates a queue, in its order and with its
/// texts (rabbit_channel's dead-letter-exchange type check, then rabbit_amqqueue:check_declare_arguments): first
/// x-queue-type; then each argument the queue's type knows, in RabbitMQ's fixed order (x-expires, x-message-ttl,
/// x-dead-letter-exchange, ...), not the table's; then, in table order, any argument only other types know.
/// Arguments no type knows are accepted and ignored, as RabbitMQ does. Every refusal is 406 PRECONDITION_FAILED.
/// Difference: x-queue-type=stream is refused, naming streams as not supported (RabbitMQ 3.10 creates a stream).
/// </summary>
public static class QueueArgumentValidation
{
    /// <summary>RabbitMQ's limit on TTLs and expiries: ten years in milliseconds (rabbit_misc:check_expiry).</summary>
    public const long MaxExpiry = 315_360_000_000;

    /// <summary>The largest x-max-priority RabbitMQ accepts.</summary>
    public const int MaxPriority = 255;

    private delegate string? ArgumentCheck(object? value, FieldTable arguments);

    // rabbit_amqqueue:declare_args/0, in its order.
    private static readonly (string Key, ArgumentCheck Check)[] DeclareArgumentChecks =
    [
        ("x-expires", (value, _) => Expires(value)),
        ("x-message-ttl", (value, _) => MessageTtl(value)),
        ("x-dead-letter-exchange", (value, _) => LongString(value)),
        ("x-dead-letter-routing-key", DeadLetterRoutingKey),
        ("x-dead-letter-strategy", (value, _) => OneOf(value, "invalid_dlx_strategy", "at-most-once", "at-least-once")),
        ("x-max-length", (value, _) => NonNegativeInteger(value)),
        ("x-max-length-bytes", (value, _) => NonNegativeInteger(value)),
        ("x-max-in-memory-length", (value, _) => NonNegativeInteger(value)),
        ("x-max-in-memory-bytes", (value, _) => NonNegativeInteger(value)),
        ("x-max-priority", (value, _) => MaxPriorityValue(value)),
        ("x-overflow", (value, _) => OneOf(value, "invalid_overflow", "drop-head", "reject-publish", "reject-publish-dlx")),
        ("x-queue-mode", (value, _) => QueueModeValue(value)),
        ("x-queue-version", (value, _) => QueueVersion(value)),
        ("x-single-active-consumer", (value, _) => value is bool ? null : UnacceptableType(value)),
        ("x-queue-type", (value, _) => QueueTypeValue(value)),
        ("x-quorum-initial-group-size", (value, _) => ClusterSize(value)),
        ("x-max-age", (value, _) => MaxAge(value)),
        ("x-stream-max-segment-size-bytes", (value, _) => NonNegativeInteger(value)),
        ("x-initial-cluster-size", (value, _) => ClusterSize(value)),
        ("x-queue-leader-locator", (value, _) => OneOf(value, "invalid_queue_locator_arg", [.. QueueSettingValues.LeaderLocators])),
    ];

    /// <summary>Throws <see cref="BrokerException"/> 406 with RabbitMQ's text for the first bad argument.</summary>
    public static void Validate(string virtualHost, string queueName, FieldTable arguments)
    {
        if (FindError(virtualHost, queueName, arguments) is { } detail)
        {
            throw BrokerException.PreconditionFailed(detail);
        }
    }

    /// <summary>
    /// The reply text after "PRECONDITION_FAILED - " for the first bad argument, e.g.
    /// "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-1}"; null when all are acceptable.
    /// </summary>
    public static string? FindError(string virtualHost, string queueName, FieldTable arguments)
    {
        var resource = QueueResourceText.Of(virtualHost, queueName);

        // rabbit_channel checks the dead-letter exchange's type before anything else.
        if (arguments.TryGetValue("x-dead-letter-exchange", out var deadLetterExchange) && !IsLongString(deadLetterExchange))
        {
            return $"invalid type '{ErlangTermText.TypeName(deadLetterExchange)}' for arg 'x-dead-letter-exchange' in {resource}";
        }

        if (arguments.TryGetValue("x-queue-type", out var typeValue) && QueueTypeValue(typeValue) is { } typeError)
        {
            return $"invalid arg 'x-queue-type' for {resource}: {typeError}";
        }

        var type = QueueTypeNames.FromArguments(arguments);
        var known = QueueTypeCapabilities.QueueArguments(type);
        foreach (var (key, check) in DeclareArgumentChecks)
        {
            if (known.Contains(key) && arguments.TryGetValue(key, out var value) && check(value, arguments) is { } error)
            {
                return $"invalid arg '{key}' for {resource}: {error}";
            }
        }

        foreach (var (key, _) in arguments)
        {
            if (QueueTypeCapabilities.AllQueueArguments.Contains(key) && !known.Contains(key))
            {
                return $"invalid arg '{key}' for {resource} of queue type {QueueTypeNames.ModuleName(type)}";
            }
        }

        return null;
    }

    private static bool IsLongString(object? value) => value is string or AmqpLongString;

    private static string? Text(object? value) => value switch
    {
        string s => s,
        AmqpLongString l => l.ToString(),
        _ => null,
    };

    private static string? Integer(object? value, out long result) =>
        FieldTable.TryConvertToInt64(value, out result) ? null : ErlangStringText.Format($"expected integer, got {ErlangTermText.TypeName(value)}");

    private static string UnacceptableType(object? value) => $"{{unacceptable_type,{ErlangTermText.TypeName(value)}}}";

    private static string? NonNegativeInteger(object? value) => Integer(value, out var n) is { } error ? error
        : n < 0 ? $"{{value_negative,{n}}}" : null;

    private static string? Expiry(long n) => n < 0 ? $"{{value_negative,{n}}}" : n > MaxExpiry ? $"{{value_too_large,{n}}}" : null;

    private static string? Expires(object? value) => Integer(value, out var n) is { } error ? error
        : n == 0 ? "{value_zero,0}" : Expiry(n);

    private static string? MessageTtl(object? value) => Integer(value, out var n) is { } error ? error : Expiry(n);

    private static string? MaxPriorityValue(object? value) => NonNegativeInteger(value) is { } error ? error
        : FieldTable.TryConvertToInt64(value, out var n) && n > MaxPriority ? $"{{max_value_exceeded,{n}}}" : null;

    private static string? ClusterSize(object? value) => NonNegativeInteger(value) is { } error ? error
        : FieldTable.TryConvertToInt64(value, out var n) && n == 0 ? "{value_zero,0}" : null;

    private static string? QueueVersion(object? value) => NonNegativeInteger(value) is { } error ? error
        : FieldTable.TryConvertToInt64(value, out var n) && n is not (1 or 2) ? ErlangStringText.Format($"unsupported queue version '{n}'") : null;

    private static string? LongString(object? value) => IsLongString(value) ? null : UnacceptableType(value);

    private static string? DeadLetterRoutingKey(object? value, FieldTable arguments) =>
        !IsLongString(value) ? UnacceptableType(value)
        : arguments.ContainsKey("x-dead-letter-exchange") ? null
        : "routing_key_but_no_dlx_defined";

    private static string? OneOf(object? value, string invalid, params string[] allowed) =>
        Text(value) is not { } text ? UnacceptableType(value)
        : Array.IndexOf(allowed, text) >= 0 ? null
        : invalid;

    private static string? QueueModeValue(object? value) =>
        Text(value) is not { } text ? UnacceptableType(value)
        : QueueSettingValues.TryParseQueueMode(text, out _) ? null
        : ErlangStringText.Format($"unsupported queue mode '{text}'");

    private static string? QueueTypeValue(object? value) => Text(value) switch
    {
        null => UnacceptableType(value),
        QueueTypeNames.Classic or QueueTypeNames.Quorum => null,

        // Deliberate difference: RabbitMQ 3.10 would create a stream. Same shape as its refusal of an unknown type.
        QueueTypeNames.Stream => ErlangStringText.Format("unsupported queue type 'stream': streams are not supported by this broker yet"),
        var text => ErlangStringText.Format($"unsupported queue type '{text}'"),
    };

    private static string? MaxAge(object? value) =>
        Text(value) is not { } text ? UnacceptableType(value)
        : StreamMaxAge.TryParse(text, out _) ? null
        : "invalid_max_age";
}
