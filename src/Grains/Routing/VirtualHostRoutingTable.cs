using System.Diagnostics.CodeAnalysis;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// The routing snapshot of one virtual host that publishers read without calling any grain:
/// exchange name to (declaration, router), and the set of queue names (for the default exchange).
/// Exchange grains and the vhost grain write it; gateways read it from many threads.
/// </summary>
public sealed class VirtualHostRoutingTable
{
    public VirtualHostRoutingTable(string vhost)
    {
        VirtualHost = vhost;
    }

    public string VirtualHost { get; }

    public void SetExchange(ExchangeDeclaration declaration, ExchangeRouter router) => throw new NotImplementedException();

    public void RemoveExchange(string name) => throw new NotImplementedException();

    public bool TryGetExchange(string name, [NotNullWhen(true)] out ExchangeDeclaration? declaration) => throw new NotImplementedException();

    public void AddQueue(string name) => throw new NotImplementedException();

    public void RemoveQueue(string name) => throw new NotImplementedException();

    /// <summary>
    /// Route a message published to <paramref name="exchange"/>: fills <paramref name="result"/> with
    /// the queue names it reaches, each once. False when the exchange does not exist.
    /// </summary>
    public bool Route(string exchange, Message message, RoutingResult result) => throw new NotImplementedException();
}
