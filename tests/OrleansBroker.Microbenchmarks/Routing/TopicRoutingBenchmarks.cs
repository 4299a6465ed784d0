using BenchmarkDotNet.Attributes;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Microbenchmarks.Routing;

/// <summary>
/// A topic exchange's router (<see cref="TopicRouter"/> over its <see cref="TopicTrie{TValue}"/>) matching one
/// routing key against 10, 1,000 and 10,000 bindings with '*' and '#' (<see cref="TopicBindingSet"/>).
/// </summary>
[MemoryDiagnoser]
public class TopicRoutingBenchmarks
{
    private readonly List<BindingDestination> _destinations = [];
    private ExchangeRouter _router = null!;
    private Message _matching = null!;
    private Message _unmatched = null!;

    [Params(10, 1_000, 10_000)]
    public int Bindings { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _router = ExchangeTypes.CreateRouter(ExchangeTypes.Topic, TopicBindingSet.Create("orders", Bindings));
        _matching = new Message("orders", TopicBindingSet.MatchingKey, FieldTable.Empty);
        _unmatched = new Message("orders", TopicBindingSet.UnmatchedKey, FieldTable.Empty);
        if (RouteMatchingKey() != TopicBindingSet.MatchingDestinations || RouteUnmatchedKey() != 0)
        {
            throw new InvalidOperationException("the topic bindings do not match as TopicBindingSet says");
        }
    }

    [Benchmark]
    public int RouteMatchingKey() => Route(_matching);

    [Benchmark]
    public int RouteUnmatchedKey() => Route(_unmatched);

    private int Route(Message message)
    {
        _destinations.Clear();
        _router.Route(message, _destinations);
        return _destinations.Count;
    }
}
