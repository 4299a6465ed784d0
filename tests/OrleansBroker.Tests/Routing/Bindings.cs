using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Tests.Routing;

/// <summary>Short ways to write the bindings, tables and messages routing tests are made of.</summary>
internal static class Bindings
{
    public static Binding Queue(string source, string routingKey, string queue, FieldTable? arguments = null) =>
        new(source, BindingDestination.Queue(queue), routingKey, arguments ?? FieldTable.Empty);

    public static Binding Exchange(string source, string routingKey, string destination, FieldTable? arguments = null) =>
        new(source, BindingDestination.Exchange(destination), routingKey, arguments ?? FieldTable.Empty);

    /// <summary>A field table with entries in the order given; keys may repeat, as on the wire.</summary>
    public static FieldTable Table(params (string Key, object? Value)[] entries) =>
        new(entries.Select(entry => KeyValuePair.Create(entry.Key, entry.Value)).ToArray());

    public static Message Message(string routingKey, FieldTable? headers = null) => new("x", routingKey, headers ?? FieldTable.Empty);
}
