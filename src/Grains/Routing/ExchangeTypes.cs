using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>The exchange types the broker knows (direct, fanout, topic, headers) and their routers.</summary>
public static class ExchangeTypes
{
    public const string Direct = "direct";
    public const string Fanout = "fanout";
    public const string Topic = "topic";
    public const string Headers = "headers";

    public static bool IsKnown(string type) => type is Direct or Fanout or Topic or Headers;

    /// <summary>An immutable router over <paramref name="bindings"/> (their sources are not looked at).</summary>
    /// <exception cref="ArgumentException">The type is not one of <see cref="IsKnown"/>.</exception>
    public static ExchangeRouter CreateRouter(string type, IReadOnlyCollection<Binding> bindings) => type switch
    {
        Direct => new DirectRouter(bindings),
        Fanout => new FanoutRouter(bindings),
        Topic => new TopicRouter(bindings),
        Headers => new HeadersRouter(bindings),
        _ => throw new ArgumentException($"unknown exchange type '{type}'", nameof(type)),
    };

    /// <summary>
    /// Checks binding arguments as the exchange type does before RabbitMQ accepts a queue.bind or
    /// exchange.bind: only headers exchanges check anything (x-match must be absent or all, any,
    /// all-with-x, any-with-x as a string).
    /// </summary>
    /// <exception cref="BrokerException">PRECONDITION_FAILED with RabbitMQ's text.</exception>
    public static void ValidateBinding(string type, FieldTable arguments)
    {
        if (type == Headers && HeadersBindingPattern.FindInvalidArgument(arguments) is { } problem)
        {
            throw BrokerException.PreconditionFailed(problem);
        }
    }
}
