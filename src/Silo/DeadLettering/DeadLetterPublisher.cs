using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Routing;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Silo.DeadLettering;

/// <summary>
/// Routes dead-lettered messages through their dead-letter exchange with this node's routing replica (the one the
/// AMQP gateway publishes by) and enqueues them, one call per target queue for the batch. The queue hands the batch
/// over and goes on: the enqueue calls are not awaited, so two queues dead-lettering into each other never wait on
/// each other. Routing is done in the caller's turn once this node's replica of the virtual host is subscribed (the
/// calls then leave in the order the queue dead-lettered, so a queue's dead letters arrive in order); the first time
/// for a virtual host it subscribes off the turn first. A missing dead-letter exchange drops the messages, as
/// RabbitMQ does; so does a queue that is gone.
/// </summary>
internal sealed class DeadLetterPublisher(IGrainFactory grains, RoutingReplicas routing, ILogger<DeadLetterPublisher> logger) : IDeadLetterPublisher
{
    private readonly ConcurrentDictionary<string, bool> _subscribed = new(StringComparer.Ordinal);

    public void Publish(string virtualHost, IReadOnlyList<DeadLetter> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        if (_subscribed.ContainsKey(virtualHost))
        {
            Route(virtualHost, batch);
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await routing.EnsureSubscribedAsync(virtualHost);
                _subscribed.TryAdd(virtualHost, true);
                Route(virtualHost, batch);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "dead-lettered messages of virtual host '{VirtualHost}' were lost", virtualHost);
            }
        });
    }

    private void Route(string virtualHost, IReadOnlyList<DeadLetter> batch)
    {
        var table = routing.Table(virtualHost);
        var byQueue = new Dictionary<string, List<Message>>(StringComparer.Ordinal);
        var result = new RoutingResult();
        var targets = new List<string>();
        foreach (var deadLetter in batch)
        {
            var dead = deadLetter.Message;
            if (!table.TryGetExchange(dead.Exchange, out _))
            {
                continue;
            }

            var properties = dead.Properties;
            var message = new Message(dead.Exchange, dead.RoutingKeys[0], properties, BasicPropertiesReader.ReadSummary(properties), deadLetter.Body);
            targets.Clear();
            foreach (var routingKey in dead.RoutingKeys)
            {
                var routed = routingKey == message.RoutingKey ? message : new Message(dead.Exchange, routingKey, properties, message.Summary, deadLetter.Body);
                table.Route(dead.Exchange, routed, result);
                foreach (var queue in result.Queues)
                {
                    if (!targets.Contains(queue))
                    {
                        targets.Add(queue);
                    }
                }
            }

            foreach (var queue in DeadLetterCycles.WithoutCycles(deadLetter.Reason, message.Headers, targets))
            {
                if (!byQueue.TryGetValue(queue, out var queued))
                {
                    queued = new List<Message>();
                    byQueue[queue] = queued;
                }

                queued.Add(message);
            }
        }

        foreach (var (queue, messages) in byQueue)
        {
            var enqueue = grains.GetGrain<IQueueGrain>(GrainKeys.Queue(virtualHost, queue)).Enqueue(new Immutable<Message[]>([.. messages]));
            if (!enqueue.IsCompletedSuccessfully)
            {
                _ = LogFailureAsync(enqueue, virtualHost, queue);
            }
        }
    }

    private async Task LogFailureAsync(ValueTask<EnqueueOutcome> enqueue, string virtualHost, string queue)
    {
        try
        {
            await enqueue;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "dead-lettered messages for queue '{Queue}' in virtual host '{VirtualHost}' were lost", queue, virtualHost);
        }
    }
}
