using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;
using static OrleansBroker.Tests.Routing.Bindings;

namespace OrleansBroker.Tests.Routing;

/// <summary>
/// Routing across a virtual host. The scenarios marked "reference" were run on RabbitMQ 3.10.8 with pika
/// (mandatory publishes with confirms, then queue message counts), and assert what it did.
/// </summary>
public sealed class VirtualHostRoutingTableTests
{
    private readonly VirtualHostRoutingTable _table = new("/");
    private readonly RoutingResult _result = new();

    [Fact]
    public void Default_exchange_routes_to_the_queue_named_by_the_routing_key()
    {
        _table.AddQueue("tasks");

        Assert.True(_table.Route("", Message("tasks"), _result));
        Assert.Equal(["tasks"], _result.Queues);

        // Reference: to a queue that does not exist, or with an empty key, the message is unroutable.
        Assert.True(_table.Route("", Message("nope"), _result));
        Assert.Empty(_result.Queues);
        Assert.True(_table.Route("", Message(""), _result));
        Assert.Empty(_result.Queues);
    }

    [Fact]
    public void Default_exchange_stops_routing_to_a_removed_queue()
    {
        _table.AddQueue("tasks");
        _table.RemoveQueue("tasks");

        Assert.True(_table.Route("", Message("tasks"), _result));
        Assert.Empty(_result.Queues);
        Assert.False(_table.QueueExists("tasks"));
    }

    [Fact]
    public void Default_exchange_always_exists_as_a_durable_direct_exchange()
    {
        Assert.True(_table.TryGetExchange("", out var declaration));
        Assert.Equal("", declaration.Name);
        Assert.Equal("direct", declaration.Type);
        Assert.True(declaration.Durable);
        Assert.False(declaration.AutoDelete);
        Assert.False(declaration.Internal);

        _table.RemoveExchange("");
        Assert.True(_table.TryGetExchange("", out _));
        Assert.Throws<ArgumentException>(() => _table.SetExchange(Declaration("", "direct"), ExchangeTypes.CreateRouter("direct", [])));
    }

    [Fact]
    public void Publishing_to_a_missing_exchange_fails_and_clears_the_result()
    {
        Declare("x", "fanout", [Queue("x", "", "q")]);
        _table.AddQueue("q");
        _table.Route("x", Message("k"), _result);

        Assert.False(_table.Route("missing", Message("k"), _result));
        Assert.Empty(_result.Queues);
        Assert.False(_table.TryGetExchange("missing", out _));
    }

    [Fact]
    public void Exchanges_are_set_replaced_and_removed()
    {
        Declare("x", "direct", [Queue("x", "a", "q1")]);
        AddQueues("q1", "q2");
        Assert.Equal(["q1"], RouteQueues("x", "a"));

        // A binding change is a new router for the same exchange.
        Declare("x", "direct", [Queue("x", "a", "q2")]);
        Assert.Equal(["q2"], RouteQueues("x", "a"));
        Assert.True(_table.TryGetExchange("x", out var declaration));
        Assert.Equal("direct", declaration.Type);

        _table.RemoveExchange("x");
        Assert.False(_table.Route("x", Message("a"), _result));
        Assert.False(_table.TryGetExchange("x", out _));
    }

    [Fact]
    public void Queues_that_do_not_exist_are_not_routed_to()
    {
        Declare("x", "fanout", [Queue("x", "", "gone"), Queue("x", "", "here")]);
        _table.AddQueue("here");

        Assert.Equal(["here"], RouteQueues("x", "k"));
    }

    [Fact]
    public void Each_route_starts_from_an_empty_result()
    {
        Declare("x", "direct", [Queue("x", "a", "qa"), Queue("x", "b", "qb")]);
        AddQueues("qa", "qb");

        Assert.Equal(["qa"], RouteQueues("x", "a"));
        Assert.Equal(["qb"], RouteQueues("x", "b"));
        Assert.Empty(RouteQueues("x", "c"));
    }

    [Fact]
    public void Follows_exchange_to_exchange_bindings_with_the_same_routing_key()
    {
        Declare("x", "topic", [Exchange("x", "logs.#", "y"), Queue("x", "logs.error", "qx")]);
        Declare("y", "direct", [Exchange("y", "logs.error", "z"), Queue("y", "logs.info", "qy")]);
        Declare("z", "fanout", [Queue("z", "", "qz")]);
        AddQueues("qx", "qy", "qz");

        Assert.Equal(["qx", "qz"], RouteQueues("x", "logs.error"));
        Assert.Equal(["qy"], RouteQueues("x", "logs.info"));
        Assert.Empty(RouteQueues("x", "other"));
    }

    [Fact]
    public void Queues_come_in_first_reached_order()
    {
        Declare("x", "fanout", [Queue("x", "", "q1"), Exchange("x", "", "y"), Queue("x", "", "q2")]);
        Declare("y", "fanout", [Queue("y", "", "q3"), Queue("y", "", "q1")]);
        AddQueues("q1", "q2", "q3");

        Assert.Equal(["q1", "q2", "q3"], RouteQueues("x", "k"));
    }

    [Fact]
    public void A_queue_reached_directly_and_through_an_exchange_gets_the_message_once()
    {
        // Reference: x -k-> q and x -k-> y -k-> q delivered one message to q.
        Declare("x", "direct", [Queue("x", "k", "q"), Exchange("x", "k", "y")]);
        Declare("y", "direct", [Queue("y", "k", "q")]);
        _table.AddQueue("q");

        Assert.Equal(["q"], RouteQueues("x", "k"));
    }

    [Fact]
    public void A_diamond_of_exchanges_routes_once()
    {
        // Reference: x → a, b → c → q delivered one message to q.
        Declare("x", "fanout", [Exchange("x", "", "a"), Exchange("x", "", "b")]);
        Declare("a", "fanout", [Exchange("a", "", "c")]);
        Declare("b", "fanout", [Exchange("b", "", "c")]);
        Declare("c", "fanout", [Queue("c", "", "q")]);
        _table.AddQueue("q");

        Assert.Equal(["q"], RouteQueues("x", "k"));
    }

    [Fact]
    public void Cycles_of_exchanges_end()
    {
        // Reference: x ⇄ y, each with a queue: one message in each.
        Declare("x", "direct", [Exchange("x", "k", "y"), Queue("x", "k", "qx")]);
        Declare("y", "direct", [Exchange("y", "k", "x"), Queue("y", "k", "qy")]);
        AddQueues("qx", "qy");

        Assert.Equal(["qx", "qy"], RouteQueues("x", "k"));
        Assert.Equal(["qy", "qx"], RouteQueues("y", "k"));
    }

    [Fact]
    public void An_exchange_bound_to_itself_routes_once()
    {
        Declare("x", "fanout", [Exchange("x", "", "x"), Queue("x", "", "q")]);
        _table.AddQueue("q");

        Assert.Equal(["q"], RouteQueues("x", "k"));
    }

    [Fact]
    public void Destination_exchanges_that_no_longer_exist_are_skipped()
    {
        Declare("x", "fanout", [Exchange("x", "", "gone"), Exchange("x", "", "y")]);
        Declare("y", "fanout", [Queue("y", "", "q")]);
        _table.AddQueue("q");

        Assert.Equal(["q"], RouteQueues("x", "k"));
    }

    [Fact]
    public void Alternate_exchange_takes_what_the_bindings_do_not_match()
    {
        // Reference: an unmatched key went to the alternate exchange's queue.
        Declare("x", "direct", [Queue("x", "k", "q")], alternate: "ae");
        Declare("ae", "fanout", [Queue("ae", "", "unrouted")]);
        AddQueues("q", "unrouted");

        Assert.Equal(["q"], RouteQueues("x", "k"));
        Assert.Equal(["unrouted"], RouteQueues("x", "other"));
    }

    [Fact]
    public void Alternate_exchange_is_not_used_when_bindings_matched_only_dead_end_exchanges()
    {
        // Reference: x -k-> y where y routes nowhere and has no alternate: unroutable, x's alternate unused.
        Declare("x", "direct", [Exchange("x", "k", "y")], alternate: "ae");
        Declare("y", "direct", []);
        Declare("ae", "fanout", [Queue("ae", "", "unrouted")]);
        _table.AddQueue("unrouted");

        Assert.Empty(RouteQueues("x", "k"));
        Assert.Equal(["unrouted"], RouteQueues("x", "zz"));
    }

    [Fact]
    public void Alternate_exchange_of_an_exchange_reached_through_a_binding_is_used()
    {
        // Reference: x -k-> y, y matches nothing, y's alternate w reaches q.
        Declare("x", "direct", [Exchange("x", "k", "y")]);
        Declare("y", "direct", [], alternate: "w");
        Declare("w", "fanout", [Queue("w", "", "q")]);
        _table.AddQueue("q");

        Assert.Equal(["q"], RouteQueues("x", "k"));
    }

    [Fact]
    public void Alternate_exchanges_chain()
    {
        // Reference: x (ae y) → y (ae z) → z → q.
        Declare("x", "direct", [], alternate: "y");
        Declare("y", "direct", [], alternate: "z");
        Declare("z", "fanout", [Queue("z", "", "q")]);
        _table.AddQueue("q");

        Assert.Equal(["q"], RouteQueues("x", "k"));
    }

    [Theory]
    [InlineData("self")]
    [InlineData("cycle")]
    [InlineData("back-to-source")]
    [InlineData("missing")]
    [InlineData("default")]
    public void Alternate_exchange_dead_ends_are_unroutable(string scenario)
    {
        // Reference, each unroutable: an exchange its own alternate; x (ae y), y (ae x); x (ae y) with
        // y → x (x already reached); an alternate that does not exist; the default exchange as the
        // alternate (RabbitMQ routes "" by bindings there, and it has none).
        _table.AddQueue("q");
        _table.AddQueue("k");
        switch (scenario)
        {
            case "self":
                Declare("x", "direct", [], alternate: "x");
                break;
            case "cycle":
                Declare("x", "direct", [], alternate: "y");
                Declare("y", "direct", [], alternate: "x");
                break;
            case "back-to-source":
                Declare("x", "direct", [Queue("x", "other", "q")], alternate: "y");
                Declare("y", "fanout", [Exchange("y", "", "x")]);
                break;
            case "missing":
                Declare("x", "direct", [], alternate: "nonexistent");
                break;
            case "default":
                Declare("x", "direct", [], alternate: "");
                break;
        }

        Assert.True(_table.Route("x", Message("k"), _result));
        Assert.Empty(_result.Queues);
    }

    [Fact]
    public void Alternate_exchange_reaching_a_queue_the_exchange_also_binds_delivers_once()
    {
        // Reference: x -k-> q, x's alternate fanout → q; publishing "zz" put one message in q.
        Declare("x", "direct", [Queue("x", "k", "q")], alternate: "ae");
        Declare("ae", "fanout", [Queue("ae", "", "q"), Exchange("ae", "", "x")]);
        _table.AddQueue("q");

        Assert.Equal(["q"], RouteQueues("x", "zz"));
    }

    [Fact]
    public void Alternate_exchange_may_be_named_by_a_byte_array()
    {
        Declare("x", "direct", [], alternate: "ae", alternateAsBytes: true);
        Declare("ae", "fanout", [Queue("ae", "", "q")]);
        _table.AddQueue("q");

        Assert.Equal(["q"], RouteQueues("x", "k"));
    }

    [Fact]
    public void Headers_and_topic_exchanges_route_through_the_table()
    {
        Declare("h", "headers", [Queue("h", "", "red", Table(("colour", "red"))), Exchange("h", "", "t", Table(("x-match", "any"), ("colour", "blue"), ("size", 1)))]);
        Declare("t", "topic", [Queue("t", "*.blue", "blue")]);
        AddQueues("red", "blue");

        Assert.True(_table.Route("h", new Message("h", "big.blue", Table(("size", 1L))), _result));
        Assert.Equal(["blue"], _result.Queues);
        Assert.True(_table.Route("h", new Message("h", "big.blue", Table(("colour", "red"))), _result));
        Assert.Equal(["red"], _result.Queues);
    }

    [Fact]
    public async Task Readers_see_whole_snapshots_while_routers_are_replaced()
    {
        var before = ExchangeTypes.CreateRouter("fanout", [Queue("x", "", "a1"), Queue("x", "", "a2")]);
        var after = ExchangeTypes.CreateRouter("fanout", [Queue("x", "", "b1"), Queue("x", "", "b2"), Queue("x", "", "b3")]);
        AddQueues("a1", "a2", "b1", "b2", "b3");
        _table.SetExchange(Declaration("x", "fanout"), before);
        var stop = 0;

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var result = new RoutingResult();
            var message = Message("k");
            var routes = 0;
            while (Volatile.Read(ref stop) == 0 || routes < 1000)
            {
                Assert.True(_table.Route("x", message, result));
                var queues = string.Join(",", result.Queues);
                Assert.True(queues is "a1,a2" or "b1,b2,b3", queues);
                routes++;
            }
        })).ToArray();

        for (var i = 0; i < 2000; i++)
        {
            _table.SetExchange(Declaration("x", "fanout"), i % 2 == 0 ? after : before);
        }

        Volatile.Write(ref stop, 1);
        await Task.WhenAll(readers);
    }

    [Fact]
    public void Routing_allocates_nothing_once_warm()
    {
        Declare("direct", "direct", [Queue("direct", "k", "q1"), Exchange("direct", "k", "topic")]);
        Declare("topic", "topic", [Queue("topic", "#", "q1"), Queue("topic", "*", "q2"), Exchange("topic", "k.#", "headers")]);
        Declare("headers", "headers", [Queue("headers", "", "q3", Table(("a", "1")))], alternate: "fanout");
        Declare("fanout", "fanout", [Queue("fanout", "", "q4"), Queue("fanout", "", "q1")]);
        AddQueues("q1", "q2", "q3", "q4");
        var message = new Message("direct", "k", Table(("a", "2")));

        _table.Route("direct", message, _result);
        _table.Route("", message, _result);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _table.Route("direct", message, _result);
            _table.Route("", message, _result);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _table.Route("direct", message, _result);

        Assert.Equal(["q1", "q2", "q4"], _result.Queues);
        Assert.Equal(0, allocated);
    }

    private void Declare(string name, string type, IReadOnlyCollection<Binding> bindings, string? alternate = null, bool alternateAsBytes = false)
    {
        var arguments = alternate is null
            ? FieldTable.Empty
            : Table(("alternate-exchange", alternateAsBytes ? System.Text.Encoding.UTF8.GetBytes(alternate) : alternate));
        _table.SetExchange(Declaration(name, type, arguments), ExchangeTypes.CreateRouter(type, bindings));
    }

    private static ExchangeDeclaration Declaration(string name, string type, FieldTable? arguments = null) =>
        new(name, type, Durable: false, AutoDelete: false, Internal: false, arguments ?? FieldTable.Empty);

    private void AddQueues(params string[] names)
    {
        foreach (var name in names)
        {
            _table.AddQueue(name);
        }
    }

    private List<string> RouteQueues(string exchange, string routingKey)
    {
        Assert.True(_table.Route(exchange, Message(routingKey), _result));
        return _result.Queues.ToList();
    }
}
