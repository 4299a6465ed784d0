using System.Collections;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// The definition of a policy: setting name → typed value ({"message-ttl": 60000, "dead-letter-exchange": "dlx"}),
/// sorted by key as RabbitMQ holds a decoded definition (which is also the order it validates in). Immutable,
/// compared by value. Whether the keys and values are acceptable is <see cref="PolicyDefinitionValidation"/>'s job.
/// </summary>
[JsonConverter(typeof(PolicyDefinitionJsonConverter))]
public sealed class PolicyDefinition : IReadOnlyList<KeyValuePair<string, PolicyValue>>, IEquatable<PolicyDefinition>
{
    public static readonly PolicyDefinition Empty = new([]);

    private readonly ImmutableArray<KeyValuePair<string, PolicyValue>> _entries;

    public PolicyDefinition(IEnumerable<KeyValuePair<string, PolicyValue>> entries)
    {
        _entries = PolicyValue.Map.SortedByKey(entries);
    }

    public int Count => _entries.Length;

    public KeyValuePair<string, PolicyValue> this[int index] => _entries[index];

    public IEnumerable<string> Keys => _entries.Select(entry => entry.Key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, out PolicyValue value)
    {
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = PolicyValue.Null.Instance;
        return false;
    }

    /// <summary>The integer value of <paramref name="key"/>; null when absent or not an integer.</summary>
    public long? GetInteger(string key) => TryGetValue(key, out var value) && value is PolicyValue.Integer integer ? integer.Value : null;

    /// <summary>The text value of <paramref name="key"/>; null when absent or not text.</summary>
    public string? GetText(string key) => TryGetValue(key, out var value) && value is PolicyValue.Text text ? text.Value : null;

    /// <summary>A definition with <paramref name="key"/> set to <paramref name="value"/>.</summary>
    public PolicyDefinition With(string key, PolicyValue value) =>
        new(_entries.Where(entry => !string.Equals(entry.Key, key, StringComparison.Ordinal)).Append(new(key, value)));

    /// <summary>The definition in a JSON object; <see cref="FormatException"/> when <paramref name="element"/> is not an object.</summary>
    public static PolicyDefinition FromJson(JsonElement element) => PolicyValue.FromJson(element) is PolicyValue.Map map
        ? new PolicyDefinition(map.Entries)
        : throw new FormatException("a policy definition is a JSON object");

    /// <summary>The definition in a JSON text such as rabbitmqctl set_policy takes: '{"message-ttl":60000}'.</summary>
    public static PolicyDefinition ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    public PolicyValue.Map ToValue() => new(_entries);

    public void WriteTo(Utf8JsonWriter writer) => ToValue().WriteTo(writer);

    public string ToJson() => ToValue().ToJson();

    public IEnumerator<KeyValuePair<string, PolicyValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, PolicyValue>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(PolicyDefinition? other) => other is not null && _entries.SequenceEqual(other._entries);

    public override bool Equals(object? obj) => Equals(obj as PolicyDefinition);

    public override int GetHashCode() => ToValue().GetHashCode();

    public override string ToString() => ToJson();
}
