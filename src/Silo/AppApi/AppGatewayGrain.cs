using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansBroker.Amqp;
using OrleansBroker.Client;
using OrleansBroker.Gateway;
using OrleansBroker.Gateway.Routing;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Silo.AppApi;

/// <summary>
/// Publishes for Orleans applications as the AMQP gateway publishes for AMQP clients: the same checks (exchange,
/// internal, size, expiration), routing against this silo's copy of the virtual host's routing (which every topology
/// change reaches before its -ok, so a binding an app or AMQP client made routes here once they heard of it), and
/// one enqueue call per queue for a whole batch, awaited like a publisher confirm.
/// A stateless worker: it keeps nothing between calls, so Orleans runs it in the silo it is called from and in as
/// many activations as the calls need; a single grain per virtual host would make every app's publishes wait in one
/// line, and routing in the client would need every client subscribed to every topology change.
/// </summary>
[GrainType("app-gateway"), StatelessWorker, Reentrant]
internal sealed class AppGatewayGrain(RoutingReplicas routing, ClusterNodes nodes, IOptions<GatewayOptions> options) : Grain, IAppGatewayGrain
{
    private readonly GatewayOptions _options = options.Value;

    private string VirtualHost => this.GetPrimaryKeyString();

    public async ValueTask<GatewayNode> Open()
    {
        CheckVirtualHost();
        await routing.EnsureSubscribedAsync(VirtualHost);
        return new GatewayNode(nodes.LocalName, GatewayIds.ForSilo(nodes.LocalAddress));
    }

    public async ValueTask<PublishOutcome[]> Publish(Immutable<Publication[]> batch)
    {
        CheckVirtualHost();
        await routing.EnsureSubscribedAsync(VirtualHost);
        var table = routing.Table(VirtualHost);
        var publications = batch.Value;
        var messages = new Message[publications.Length];
        for (var i = 0; i < publications.Length; i++)
        {
            messages[i] = Accept(table, publications[i]);
        }

        var outcomes = new PublishOutcome[publications.Length];
        var byQueue = new Dictionary<string, List<Message>>(StringComparer.Ordinal);
        var result = new RoutingResult();
        for (var i = 0; i < messages.Length; i++)
        {
            table.Route(messages[i].Exchange, messages[i], result);
            outcomes[i] = result.Queues.Count > 0 ? PublishOutcome.Routed
                : publications[i].Mandatory ? PublishOutcome.Returned
                : PublishOutcome.Dropped;
            foreach (var queue in result.Queues)
            {
                if (!byQueue.TryGetValue(queue, out var queued))
                {
                    queued = new List<Message>();
                    byQueue[queue] = queued;
                }

                queued.Add(messages[i]);
            }
        }

        // Every queue at once; Task.WhenAll waits for all of them before it reports the first failure.
        await Task.WhenAll(byQueue.Select(q =>
            GrainFactory.GetGrain<IQueueGrain>(GrainKeys.Queue(VirtualHost, q.Key)).Enqueue(new Immutable<Message[]>(q.Value.ToArray())).AsTask()));
        return outcomes;
    }

    /// <summary>What basic.publish refuses, with RabbitMQ's codes and texts; the message otherwise.</summary>
    private Message Accept(VirtualHostRoutingTable table, Publication publication)
    {
        if (!table.TryGetExchange(publication.Exchange, out var exchange))
        {
            throw BrokerException.NotFound($"no exchange '{publication.Exchange}' in vhost '{VirtualHost}'");
        }

        if (exchange.Internal)
        {
            throw BrokerException.AccessRefused($"cannot publish to internal exchange '{publication.Exchange}' in vhost '{VirtualHost}'");
        }

        if (publication.Body.Length > _options.MaxMessageSize)
        {
            throw BrokerException.PreconditionFailed($"message size {publication.Body.Length} is larger than configured max size {_options.MaxMessageSize}");
        }

        BasicPropertiesSummary summary;
        try
        {
            summary = BasicPropertiesReader.ReadSummary(publication.Properties.Span);
        }
        catch (AmqpFormatException e)
        {
            throw new BrokerException(ReplyCode.SyntaxError, $"malformed basic properties: {e.Message}");
        }

        if (summary.Expiration is { } expiration)
        {
            MessageExpiration.Validate(expiration);
        }

        return new Message(publication.Exchange, publication.RoutingKey, publication.Properties, summary, publication.Body);
    }

    /// <summary>Only the configured virtual host exists (as for AMQP's connection.open); any other name would make a new one.</summary>
    private void CheckVirtualHost()
    {
        if (!string.Equals(VirtualHost, _options.DefaultVirtualHost, StringComparison.Ordinal))
        {
            throw new BrokerException(ReplyCode.NotAllowed, $"vhost {VirtualHost} not found");
        }
    }
}
