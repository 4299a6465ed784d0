using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;
using static OrleansBroker.Tests.Routing.Bindings;

namespace OrleansBroker.Tests.Routing;

public sealed class DirectAndFanoutRouterTests
{
    [Fact]
    public void Direct_routes_on_exact_key_only()
    {
        var router = ExchangeTypes.CreateRouter("direct",
        [
            Queue("x", "orange", "q1"),
            Queue("x", "black", "q2"),
            Queue("x", "green", "q2"),
            Queue("x", "", "q3"),
        ]);

        Assert.Equal([BindingDestination.Queue("q1")], Route(router, "orange"));
        Assert.Equal([BindingDestination.Queue("q2")], Route(router, "green"));
        Assert.Equal([BindingDestination.Queue("q3")], Route(router, ""));
        Assert.Empty(Route(router, "Orange"));
        Assert.Empty(Route(router, "orange.x"));
        Assert.Empty(Route(router, "#"));
    }

    [Fact]
    public void Direct_wildcards_are_plain_characters()
    {
        var router = ExchangeTypes.CreateRouter("direct", [Queue("x", "#", "all"), Queue("x", "*", "one")]);

        Assert.Empty(Route(router, "a"));
        Assert.Equal([BindingDestination.Queue("all")], Route(router, "#"));
        Assert.Equal([BindingDestination.Queue("one")], Route(router, "*"));
    }

    [Fact]
    public void Direct_lists_every_destination_of_a_key_once_in_binding_order()
    {
        // Two bindings of q1 with the same key differ by arguments: still one delivery.
        var router = ExchangeTypes.CreateRouter("direct",
        [
            Queue("x", "k", "q1"),
            Exchange("x", "k", "e1"),
            Queue("x", "k", "q1", Table(("x-any", 1))),
            Queue("x", "k", "q2"),
        ]);

        Assert.Equal([BindingDestination.Queue("q1"), BindingDestination.Exchange("e1"), BindingDestination.Queue("q2")], Route(router, "k"));
    }

    [Fact]
    public void A_queue_and_an_exchange_of_the_same_name_are_different_destinations()
    {
        var router = ExchangeTypes.CreateRouter("fanout", [Queue("x", "", "same"), Exchange("x", "", "same")]);

        Assert.Equal([BindingDestination.Queue("same"), BindingDestination.Exchange("same")], Route(router, "k"));
    }

    [Fact]
    public void Fanout_routes_everything_to_every_destination_once()
    {
        var router = ExchangeTypes.CreateRouter("fanout",
        [
            Queue("x", "a", "q1"),
            Queue("x", "b", "q2"),
            Queue("x", "c", "q1"),
            Exchange("x", "", "e"),
        ]);

        var expected = new[] { BindingDestination.Queue("q1"), BindingDestination.Queue("q2"), BindingDestination.Exchange("e") };
        Assert.Equal(expected, Route(router, ""));
        Assert.Equal(expected, Route(router, "anything.at.all"));
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("fanout")]
    [InlineData("topic")]
    [InlineData("headers")]
    public void A_router_without_bindings_routes_nowhere(string type)
    {
        Assert.Empty(Route(ExchangeTypes.CreateRouter(type, []), "k"));
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("fanout")]
    [InlineData("topic")]
    public void Route_appends_to_what_the_list_already_holds(string type)
    {
        var router = ExchangeTypes.CreateRouter(type, [Queue("x", "k", "q")]);
        var destinations = new List<BindingDestination> { BindingDestination.Queue("earlier") };

        router.Route(Message("k"), destinations);

        Assert.Equal([BindingDestination.Queue("earlier"), BindingDestination.Queue("q")], destinations);
    }

    [Theory]
    [InlineData("direct", true)]
    [InlineData("fanout", true)]
    [InlineData("topic", true)]
    [InlineData("headers", true)]
    [InlineData("Direct", false)]
    [InlineData("x-consistent-hash", false)]
    [InlineData("", false)]
    public void Knows_the_four_standard_types(string type, bool known)
    {
        Assert.Equal(known, ExchangeTypes.IsKnown(type));
        if (!known)
        {
            Assert.Throws<ArgumentException>(() => ExchangeTypes.CreateRouter(type, []));
        }
    }

    internal static List<BindingDestination> Route(ExchangeRouter router, string routingKey)
    {
        var destinations = new List<BindingDestination>();
        router.Route(Message(routingKey), destinations);
        return destinations;
    }
}
