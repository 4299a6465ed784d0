using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Microbenchmarks.Routing;

/// <summary>
/// Headers-exchange bindings, each to its own queue "q{i}": even ones x-match all on format=pdf and type=report{i},
/// odd ones x-match any on type=report{i} or lang=lang{i}. <see cref="MessageHeaders"/> (three headers) matches
/// exactly the binding of report4.
/// </summary>
internal static class HeadersBindingSet
{
    public static FieldTable MessageHeaders { get; } = new(
    [
        KeyValuePair.Create<string, object?>("format", "pdf"),
        KeyValuePair.Create<string, object?>("type", "report4"),
        KeyValuePair.Create<string, object?>("lang", "en"),
    ]);

    public static List<Binding> Create(string exchange, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 5);
        var bindings = new List<Binding>(count);
        for (var i = 0; i < count; i++)
        {
            FieldTable arguments = i % 2 == 0
                ? new([Entry("x-match", "all"), Entry("format", "pdf"), Entry("type", $"report{i}")])
                : new([Entry("x-match", "any"), Entry("type", $"report{i}"), Entry("lang", $"lang{i}")]);
            bindings.Add(new Binding(exchange, BindingDestination.Queue($"q{i}"), "", arguments));
        }

        return bindings;
    }

    private static KeyValuePair<string, object?> Entry(string key, object? value) => KeyValuePair.Create(key, value);
}
