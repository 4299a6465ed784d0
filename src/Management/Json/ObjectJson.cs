using System.Text.Json.Nodes;
using OrleansBroker.Grains.Model;
using OrleansBroker.Management.Nodes;

namespace OrleansBroker.Management.Json;

/// <summary>Broker objects in the JSON shapes (field names and types) of RabbitMQ 3.10's management API.</summary>
public static class ObjectJson
{
    /// <summary>The default exchange's name in API paths (its real name is "").</summary>
    public const string DefaultExchangePathName = "amq.default";

    public static JsonObject Queue(string vhost, QueueListing listing, QueueInfo? info, string nodeFallback)
    {
        var declaration = listing.Declaration;
        var json = new JsonObject
        {
            ["arguments"] = FieldTableJson.ToJson(declaration.Arguments),
            ["auto_delete"] = declaration.AutoDelete,
            ["durable"] = declaration.Durable,
            ["effective_policy_definition"] = new JsonObject(),
            ["exclusive"] = declaration.Exclusive,
            ["name"] = declaration.Name,
            ["node"] = listing.HomeNode ?? nodeFallback,
            ["operator_policy"] = null,
            ["policy"] = null,
            ["type"] = declaration.Arguments.GetString("x-queue-type") ?? "classic",
            ["vhost"] = vhost,
        };
        if (info is null)
        {
            // RabbitMQ lists a queue whose node is down with its declaration and state "down", without counts.
            json["state"] = "down";
            return json;
        }

        json["policy"] = info.Policy;
        json["operator_policy"] = info.OperatorPolicy;
        if (info.EffectivePolicyDefinition is { } definition)
        {
            json["effective_policy_definition"] = JsonNode.Parse(definition.ToJson());
        }

        var messages = info.MessagesReady + info.MessagesUnacknowledged;
        json["consumers"] = info.Consumers;
        json["exclusive_consumer_tag"] = info.ExclusiveConsumerTag;
        json["memory"] = info.MessageBytesReady;
        json["message_bytes"] = info.MessageBytesReady;
        json["message_bytes_ready"] = info.MessageBytesReady;
        json["messages"] = messages;
        json["messages_details"] = Rate();
        json["messages_ready"] = info.MessagesReady;
        json["messages_ready_details"] = Rate();
        json["messages_unacknowledged"] = info.MessagesUnacknowledged;
        json["messages_unacknowledged_details"] = Rate();
        json["state"] = "running";
        return json;
    }

    public static JsonObject Exchange(string vhost, ExchangeDeclaration declaration) => new()
    {
        ["arguments"] = FieldTableJson.ToJson(declaration.Arguments),
        ["auto_delete"] = declaration.AutoDelete,
        ["durable"] = declaration.Durable,
        ["internal"] = declaration.Internal,
        ["name"] = declaration.Name,
        ["type"] = declaration.Type,
        ["user_who_performed_action"] = "rmq-internal",
        ["vhost"] = vhost,
    };

    public static JsonObject Binding(string vhost, Binding binding) => new()
    {
        ["source"] = binding.Source,
        ["vhost"] = vhost,
        ["destination"] = binding.Destination.Name,
        ["destination_type"] = binding.Destination.Kind == DestinationKind.Queue ? "queue" : "exchange",
        ["routing_key"] = binding.RoutingKey,
        ["arguments"] = FieldTableJson.ToJson(binding.Arguments),
        ["properties_key"] = BindingPropertiesKey.Of(binding.RoutingKey, binding.Arguments),
    };

    /// <summary>The binding from the default exchange every queue has.</summary>
    public static Binding DefaultBinding(string queue) => new("", BindingDestination.Queue(queue), queue, Amqp.FieldTable.Empty);

    public static JsonObject Connection(string node, ConnectionReport c)
    {
        var (peerHost, peerPort) = SplitEndpoint(c.PeerAddress);
        var (host, port) = SplitEndpoint(c.LocalAddress);
        return new JsonObject
        {
            ["channel_max"] = c.ChannelMax,
            ["channels"] = c.Channels.Length,
            ["client_properties"] = FieldTableJson.ToJson(c.ClientProperties),
            ["connected_at"] = c.ConnectedAtMilliseconds,
            ["frame_max"] = c.FrameMax,
            ["host"] = host,
            ["name"] = c.Name,
            ["node"] = node,
            ["peer_cert_issuer"] = null,
            ["peer_cert_subject"] = null,
            ["peer_cert_validity"] = null,
            ["peer_host"] = peerHost,
            ["peer_port"] = peerPort,
            ["port"] = port,
            ["protocol"] = "AMQP 0-9-1",
            ["ssl"] = false,
            ["state"] = "running",
            ["timeout"] = c.HeartbeatSeconds,
            ["type"] = "network",
            ["user"] = c.User,
            ["user_provided_name"] = c.ClientProperties.GetString("connection_name"),
            ["user_who_performed_action"] = c.User,
            ["vhost"] = c.VirtualHost,
        };
    }

    public static JsonObject Channel(string node, ConnectionReport c, ChannelReport channel)
    {
        var (peerHost, peerPort) = SplitEndpoint(c.PeerAddress);
        return new JsonObject
        {
            ["acks_uncommitted"] = 0,
            ["confirm"] = channel.Confirm,
            ["connection_details"] = new JsonObject { ["name"] = c.Name, ["peer_host"] = peerHost, ["peer_port"] = peerPort },
            ["consumer_count"] = channel.Consumers.Length,
            ["global_prefetch_count"] = channel.GlobalPrefetchCount,
            ["messages_unacknowledged"] = channel.Unacknowledged,
            ["messages_uncommitted"] = 0,
            ["messages_unconfirmed"] = channel.Unconfirmed,
            ["name"] = ChannelName(c, channel),
            ["node"] = node,
            ["number"] = channel.Number,
            ["prefetch_count"] = channel.PrefetchCount,
            ["state"] = "running",
            ["transactional"] = channel.Transactional,
            ["user"] = c.User,
            ["user_who_performed_action"] = c.User,
            ["vhost"] = c.VirtualHost,
        };
    }

    public static JsonObject Consumer(string node, ConnectionReport c, ChannelReport channel, ConsumerReport consumer)
    {
        var (peerHost, peerPort) = SplitEndpoint(c.PeerAddress);
        return new JsonObject
        {
            ["arguments"] = new JsonObject(),
            ["ack_required"] = consumer.AckRequired,
            ["active"] = true,
            ["activity_status"] = "up",
            ["channel_details"] = new JsonObject
            {
                ["connection_name"] = c.Name,
                ["name"] = ChannelName(c, channel),
                ["node"] = node,
                ["number"] = channel.Number,
                ["peer_host"] = peerHost,
                ["peer_port"] = peerPort,
                ["user"] = c.User,
            },
            ["consumer_tag"] = consumer.ConsumerTag,
            ["exclusive"] = false,
            ["prefetch_count"] = consumer.PrefetchCount,
            ["queue"] = new JsonObject { ["name"] = consumer.Queue, ["vhost"] = c.VirtualHost },
        };
    }

    public static string ChannelName(ConnectionReport c, ChannelReport channel) => $"{c.Name} ({channel.Number})";

    public static JsonObject Rate(double rate = 0) => new() { ["rate"] = rate };

    /// <summary>"127.0.0.1:5672" or "[::1]:5672" as host and port.</summary>
    public static (string Host, int Port) SplitEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port))
        {
            return (endpoint, 0);
        }

        var host = endpoint[..colon].Trim('[', ']');
        if (host.StartsWith("::ffff:", StringComparison.OrdinalIgnoreCase))
        {
            host = host["::ffff:".Length..];
        }

        return (host, port);
    }
}
