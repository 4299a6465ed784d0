using BenchmarkDotNet.Attributes;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Microbenchmarks.Routing;

/// <summary>
/// <see cref="VirtualHostRoutingTable.Route"/>, what a publish calls: exchange lookup, the exchange's router, the
/// queue-exists check of each destination, exchange-to-exchange bindings and alternate exchanges, into a
/// <see cref="RoutingResult"/> reused across publishes as a channel reuses its own.
/// </summary>
/// <remarks>
/// The virtual host: 1,000 queues q0..q999; "orders", a topic exchange with 1,000 bindings
/// (<see cref="TopicBindingSet"/>); "tasks", a direct exchange with 1,000 bindings; "ingress", a fanout exchange
/// bound to the exchanges "orders" and "audit" (a fanout to q0 and q1, which "orders" reaches too) and to q2;
/// "strict", a direct exchange with no bindings whose alternate exchange is "audit".
/// </remarks>
[MemoryDiagnoser]
public class VirtualHostRoutingBenchmarks
{
    private const int Queues = 1_000;

    private readonly VirtualHostRoutingTable _table = new("/");
    private readonly RoutingResult _result = new();
    private Message _toQueue = null!;
    private Message _toTask = null!;
    private Message _toOrders = null!;
    private Message _toStrict = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Queues; i++)
        {
            _table.AddQueue($"q{i}");
        }

        Declare("orders", ExchangeTypes.Topic, TopicBindingSet.Create("orders", 1_000));
        Declare("tasks", ExchangeTypes.Direct, [.. Enumerable.Range(0, 1_000).Select(i => ToQueue("tasks", $"task{i}", $"q{i}"))]);
        Declare("audit", ExchangeTypes.Fanout, [ToQueue("audit", "", "q0"), ToQueue("audit", "", "q1")]);
        Declare("ingress", ExchangeTypes.Fanout,
        [
            new Binding("ingress", BindingDestination.Exchange("orders"), "", FieldTable.Empty),
            new Binding("ingress", BindingDestination.Exchange("audit"), "", FieldTable.Empty),
            ToQueue("ingress", "", "q2"),
        ]);
        var alternate = new FieldTable([KeyValuePair.Create<string, object?>("alternate-exchange", "audit")]);
        Declare("strict", ExchangeTypes.Direct, [], alternate);

        _toQueue = new Message("", "q500", FieldTable.Empty);
        _toTask = new Message("tasks", "task500", FieldTable.Empty);
        _toOrders = new Message("orders", TopicBindingSet.MatchingKey, FieldTable.Empty);
        _toStrict = new Message("strict", "nobody-binds-this", FieldTable.Empty);

        // orders: q0 (orders.#), q1 (*.*.created), q6 (orders.4.*); ingress adds q2, and audit's q0 and q1 only once.
        Expect(RouteDefaultExchange(), 1);
        Expect(RouteDirectExchange_1000Bindings(), 1);
        Expect(RouteTopicExchange_1000Bindings(), 3);
        Expect(RouteFanoutThroughExchangeBindings(), 4);
        Expect(RouteToAlternateExchange(), 2);
    }

    [Benchmark]
    public int RouteDefaultExchange() => Route("", _toQueue);

    [Benchmark]
    public int RouteDirectExchange_1000Bindings() => Route("tasks", _toTask);

    [Benchmark]
    public int RouteTopicExchange_1000Bindings() => Route("orders", _toOrders);

    [Benchmark]
    public int RouteFanoutThroughExchangeBindings() => Route("ingress", _toOrders);

    [Benchmark]
    public int RouteToAlternateExchange() => Route("strict", _toStrict);

    private int Route(string exchange, Message message)
    {
        if (!_table.Route(exchange, message, _result))
        {
            throw new InvalidOperationException($"exchange '{exchange}' does not exist");
        }

        return _result.Queues.Count;
    }

    private void Declare(string name, string type, List<Binding> bindings, FieldTable? arguments = null) =>
        _table.SetExchange(
            new ExchangeDeclaration(name, type, Durable: true, AutoDelete: false, Internal: false, arguments ?? FieldTable.Empty),
            ExchangeTypes.CreateRouter(type, bindings));

    private static Binding ToQueue(string exchange, string key, string queue) =>
        new(exchange, BindingDestination.Queue(queue), key, FieldTable.Empty);

    private static void Expect(int routed, int expected)
    {
        if (routed != expected)
        {
            throw new InvalidOperationException($"routed to {routed} queues, expected {expected}");
        }
    }
}
