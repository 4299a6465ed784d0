using OrleansBroker.Amqp;

namespace OrleansBroker.Tests.Grains;

/// <summary>The arguments field table of a declaration or binding, as a client sends it.</summary>
public static class Arguments
{
    public static FieldTable Of(params (string Key, object Value)[] entries) =>
        new(entries.Select(entry => new KeyValuePair<string, object?>(entry.Key, entry.Value)));
}
