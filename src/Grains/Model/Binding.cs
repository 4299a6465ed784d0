using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Model;

[GenerateSerializer]
public enum DestinationKind : byte
{
    Queue,
    Exchange,
}

/// <summary>Where a binding leads: a queue, or another exchange (exchange.bind).</summary>
[GenerateSerializer, Immutable, Alias("ob.BindingDestination")]
public readonly record struct BindingDestination(DestinationKind Kind, string Name)
{
    public static BindingDestination Queue(string name) => new(DestinationKind.Queue, name);

    public static BindingDestination Exchange(string name) => new(DestinationKind.Exchange, name);
}

/// <summary>
/// A binding from a source exchange to a destination. Two bindings are the same binding when source,
/// destination, routing key and arguments are all equal (arguments compared by type and value).
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.Binding")]
public sealed record Binding(string Source, BindingDestination Destination, string RoutingKey, FieldTable Arguments);
