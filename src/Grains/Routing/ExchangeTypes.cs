using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>The exchange types the broker knows (direct, fanout, topic, headers) and their routers.</summary>
public static class ExchangeTypes
{
    public static bool IsKnown(string type) => throw new NotImplementedException("routing: being written");

    public static ExchangeRouter CreateRouter(string type, IReadOnlyCollection<Binding> bindings) =>
        throw new NotImplementedException("routing: being written");
}
