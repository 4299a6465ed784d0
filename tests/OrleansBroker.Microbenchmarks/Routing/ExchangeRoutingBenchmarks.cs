using BenchmarkDotNet.Attributes;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Microbenchmarks.Routing;

/// <summary>
/// The direct, fanout and headers routers (<see cref="ExchangeRouter.Route"/>) on one message each: direct with
/// 1,000 bindings (one matches), fanout to 10 queues, headers with 10 and 100 bindings (one matches).
/// </summary>
[MemoryDiagnoser]
public class ExchangeRoutingBenchmarks
{
    private readonly List<BindingDestination> _destinations = [];
    private ExchangeRouter _direct = null!;
    private ExchangeRouter _fanout = null!;
    private ExchangeRouter _headers10 = null!;
    private ExchangeRouter _headers100 = null!;
    private Message _directMessage = null!;
    private Message _fanoutMessage = null!;
    private Message _headersMessage = null!;

    [GlobalSetup]
    public void Setup()
    {
        _direct = ExchangeTypes.CreateRouter(ExchangeTypes.Direct, Enumerable.Range(0, 1_000).Select(i => ToQueue("direct", $"key{i}", i)).ToList());
        _fanout = ExchangeTypes.CreateRouter(ExchangeTypes.Fanout, Enumerable.Range(0, 10).Select(i => ToQueue("fanout", "", i)).ToList());
        _headers10 = ExchangeTypes.CreateRouter(ExchangeTypes.Headers, HeadersBindingSet.Create("headers", 10));
        _headers100 = ExchangeTypes.CreateRouter(ExchangeTypes.Headers, HeadersBindingSet.Create("headers", 100));
        _directMessage = new Message("direct", "key500", FieldTable.Empty);
        _fanoutMessage = new Message("fanout", "anything", FieldTable.Empty);
        // The headers as decoded from a content header; a Message decodes them once and keeps them, so this
        // measures matching only (decoding is ContentHeaderReadingBenchmarks.ReadHeaders_TypicalProperties).
        _headersMessage = new Message("headers", "", HeadersBindingSet.MessageHeaders);
        if (RouteDirect_1000Bindings() != 1 || RouteFanout_10Queues() != 10 || RouteHeaders_10Bindings() != 1 || RouteHeaders_100Bindings() != 1)
        {
            throw new InvalidOperationException("the routers do not match as the benchmark expects");
        }
    }

    [Benchmark]
    public int RouteDirect_1000Bindings() => Route(_direct, _directMessage);

    [Benchmark]
    public int RouteFanout_10Queues() => Route(_fanout, _fanoutMessage);

    [Benchmark]
    public int RouteHeaders_10Bindings() => Route(_headers10, _headersMessage);

    [Benchmark]
    public int RouteHeaders_100Bindings() => Route(_headers100, _headersMessage);

    private int Route(ExchangeRouter router, Message message)
    {
        _destinations.Clear();
        router.Route(message, _destinations);
        return _destinations.Count;
    }

    private static Binding ToQueue(string exchange, string key, int queue) =>
        new(exchange, BindingDestination.Queue($"q{queue}"), key, FieldTable.Empty);
}
