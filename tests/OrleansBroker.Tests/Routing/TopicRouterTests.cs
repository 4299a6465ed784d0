using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;
using static OrleansBroker.Tests.Routing.Bindings;

namespace OrleansBroker.Tests.Routing;

public sealed class TopicRouterTests
{
    [Fact]
    public void Routes_the_tutorial_example()
    {
        // RabbitMQ tutorial five: <speed>.<colour>.<species>.
        var router = ExchangeTypes.CreateRouter("topic",
        [
            Queue("x", "*.orange.*", "Q1"),
            Queue("x", "*.*.rabbit", "Q2"),
            Queue("x", "lazy.#", "Q2"),
        ]);

        Assert.Equal(["Q1", "Q2"], Names(Route(router, "quick.orange.rabbit")));
        Assert.Equal(["Q1", "Q2"], Names(Route(router, "lazy.orange.elephant")));
        Assert.Equal(["Q1"], Names(Route(router, "quick.orange.fox")));
        Assert.Equal(["Q2"], Names(Route(router, "lazy.brown.fox")));
        Assert.Equal(["Q2"], Names(Route(router, "lazy.pink.rabbit")));
        Assert.Empty(Route(router, "quick.brown.fox"));
        Assert.Empty(Route(router, "orange"));
        Assert.Empty(Route(router, "quick.orange.male.rabbit"));
        Assert.Equal(["Q2"], Names(Route(router, "lazy.orange.male.rabbit")));
    }

    [Fact]
    public void A_destination_matched_by_several_bindings_or_paths_comes_once()
    {
        var router = ExchangeTypes.CreateRouter("topic",
        [
            Queue("x", "#", "q"),
            Queue("x", "a.*", "q"),
            Queue("x", "#.a.#", "q"),
            Queue("x", "a.#", "other"),
            Exchange("x", "*.a", "e"),
            Exchange("x", "#", "e"),
        ]);

        var destinations = Route(router, "a.a");

        Assert.Equal(3, destinations.Count);
        Assert.Equal(destinations.Distinct().Count(), destinations.Count);
        Assert.Contains(BindingDestination.Queue("q"), destinations);
        Assert.Contains(BindingDestination.Queue("other"), destinations);
        Assert.Contains(BindingDestination.Exchange("e"), destinations);
    }

    [Fact]
    public void Deduplicates_beyond_what_fits_on_the_stack()
    {
        // More destinations than the stack bitmap holds: the router rents one instead.
        var bindings = new List<Binding>();
        for (var i = 0; i < 20_000; i++)
        {
            bindings.Add(Queue("x", "#", "q" + i));
            bindings.Add(Queue("x", "a.*", "q" + i));
        }

        var router = ExchangeTypes.CreateRouter("topic", bindings);

        var first = Route(router, "a.b");
        Assert.Equal(20_000, first.Count);
        Assert.Equal(20_000, first.Distinct().Count());
        Assert.Equal(20_000, Route(router, "a.b").Count); // the rented bitmap comes back cleared
    }

    [Fact]
    public void Routing_key_is_the_only_input()
    {
        var router = ExchangeTypes.CreateRouter("topic", [Queue("x", "a.b", "q")]);
        var destinations = new List<BindingDestination>();

        router.Route(new Message("x", "a.b", Table(("a", "b"))), destinations);

        Assert.Equal([BindingDestination.Queue("q")], destinations);
    }

    private static List<BindingDestination> Route(ExchangeRouter router, string routingKey) =>
        DirectAndFanoutRouterTests.Route(router, routingKey);

    private static List<string> Names(List<BindingDestination> destinations) =>
        destinations.Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
}
