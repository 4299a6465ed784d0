using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

[GenerateSerializer]
public enum RoutingChangeKind : byte
{
    ExchangeDeclared,
    ExchangeDeleted,
    BindingAdded,
    BindingRemoved,
    QueueAdded,
    QueueDeleted,
    QueueDown,
    QueueUp,
    ExchangeUpdated,
}

/// <summary>
/// One change to a virtual host's routing: an exchange declared (<see cref="Exchange"/>) or deleted
/// (<see cref="Name"/>; its own bindings go with it, bindings to it are removed one by one), a binding added or
/// removed (<see cref="Binding"/>), a queue added or deleted, or its home node down or up again (<see cref="Name"/>), or
/// an exchange's declaration as routing sees it changed with its bindings kept (a policy's alternate exchange).
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.RoutingChange")]
public sealed record RoutingChange(RoutingChangeKind Kind, string Name, ExchangeDeclaration? Exchange = null, Binding? Binding = null)
{
    public static RoutingChange ExchangeDeclared(ExchangeDeclaration declaration) => new(RoutingChangeKind.ExchangeDeclared, declaration.Name, declaration);

    /// <summary>The exchange routes as <paramref name="declaration"/> says from now on (a policy changed its alternate exchange).</summary>
    public static RoutingChange ExchangeUpdated(ExchangeDeclaration declaration) => new(RoutingChangeKind.ExchangeUpdated, declaration.Name, declaration);

    public static RoutingChange ExchangeDeleted(string name) => new(RoutingChangeKind.ExchangeDeleted, name);

    public static RoutingChange BindingAdded(Binding binding) => new(RoutingChangeKind.BindingAdded, binding.Source, Binding: binding);

    public static RoutingChange BindingRemoved(Binding binding) => new(RoutingChangeKind.BindingRemoved, binding.Source, Binding: binding);

    public static RoutingChange QueueAdded(string name) => new(RoutingChangeKind.QueueAdded, name);

    public static RoutingChange QueueDeleted(string name) => new(RoutingChangeKind.QueueDeleted, name);

    /// <summary>The queue's home node went down (<paramref name="down"/>) or came back.</summary>
    public static RoutingChange QueueAvailability(string name, bool down) => new(down ? RoutingChangeKind.QueueDown : RoutingChangeKind.QueueUp, name);
}
