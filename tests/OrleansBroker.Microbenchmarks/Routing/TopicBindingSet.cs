using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Microbenchmarks.Routing;

/// <summary>
/// Topic bindings of a given count, each to its own queue "q{i}", mixing the shapes applications use: two
/// catch-alls ("orders.#", "*.*.created"), then in turn "orders.{i}.*", "orders.*.{i}", "logs.{i}.#" and "#.audit{i}".
/// <see cref="MatchingKey"/> matches three of them at every count; <see cref="UnmatchedKey"/> matches none.
/// </summary>
internal static class TopicBindingSet
{
    /// <summary>Matches "orders.#", "*.*.created" and "orders.4.*".</summary>
    public const string MatchingKey = "orders.4.created";

    public const int MatchingDestinations = 3;

    /// <summary>Walks the root's "*" and "#" branches but reaches no binding.</summary>
    public const string UnmatchedKey = "payments.7.refunded";

    public static List<Binding> Create(string exchange, int count)
    {
        // At least 7 keeps "orders.4.*" (the 5th generated binding) in every set.
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 7);
        var bindings = new List<Binding>(count)
        {
            ToQueue(exchange, "orders.#", 0),
            ToQueue(exchange, "*.*.created", 1),
        };

        for (var i = 0; bindings.Count < count; i++)
        {
            var key = (i % 4) switch
            {
                0 => $"orders.{i}.*",
                1 => $"orders.*.{i}",
                2 => $"logs.{i}.#",
                _ => $"#.audit{i}",
            };
            bindings.Add(ToQueue(exchange, key, bindings.Count));
        }

        return bindings;
    }

    private static Binding ToQueue(string exchange, string key, int queue) =>
        new(exchange, BindingDestination.Queue($"q{queue}"), key, FieldTable.Empty);
}
