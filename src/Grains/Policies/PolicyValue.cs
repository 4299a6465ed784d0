using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// A value in a policy definition, typed as the JSON it came from (RabbitMQ decodes definitions from JSON and
/// validates the decoded Erlang terms): text, integer, float, boolean, null, list or map. Immutable, compared by
/// value. <see cref="ToErlangText"/> prints it as RabbitMQ's validation texts do (<c>~p</c> of the decoded term).
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.PolicyValue")]
public abstract record PolicyValue
{
    private PolicyValue()
    {
    }

    /// <summary>Prints the value as Erlang's <c>~p</c> prints the term RabbitMQ decoded it to: &lt;&lt;"x"&gt;&gt;, 1.0e3, null, #{...}.</summary>
    public abstract string ToErlangText();

    public abstract void WriteTo(Utf8JsonWriter writer);

    /// <summary>The value of a decoded JSON element. Integers beyond 64 bits are refused with <see cref="FormatException"/>.</summary>
    public static PolicyValue FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => new Text(element.GetString()!),
        JsonValueKind.Number => NumberFromJson(element),
        JsonValueKind.True => new Bool(true),
        JsonValueKind.False => new Bool(false),
        JsonValueKind.Null => Null.Instance,
        JsonValueKind.Array => new List([.. element.EnumerateArray().Select(FromJson)]),
        JsonValueKind.Object => Map.Of(element.EnumerateObject().Select(p => new KeyValuePair<string, PolicyValue>(p.Name, FromJson(p.Value)))),
        _ => throw new FormatException($"unexpected JSON {element.ValueKind}"),
    };

    /// <summary>The value of a JSON text; throws <see cref="JsonException"/> or <see cref="FormatException"/> when it is not one.</summary>
    public static PolicyValue ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // JSON decoders (jsx in RabbitMQ) give an integer for digits alone and a float for a fraction or an exponent.
    private static PolicyValue NumberFromJson(JsonElement element)
    {
        var raw = element.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
        {
            return new Float(element.GetDouble());
        }

        return element.TryGetInt64(out var integer) ? new Integer(integer)
            : throw new FormatException($"integer {raw} is out of range");
    }

    [GenerateSerializer, Immutable, Alias("ob.PolicyValue.Text")]
    public sealed record Text(string Value) : PolicyValue
    {
        public override string ToErlangText() => ErlangTermText.Format(Value);

        public override void WriteTo(Utf8JsonWriter writer) => writer.WriteStringValue(Value);
    }

    [GenerateSerializer, Immutable, Alias("ob.PolicyValue.Integer")]
    public sealed record Integer(long Value) : PolicyValue
    {
        public override string ToErlangText() => Value.ToString(CultureInfo.InvariantCulture);

        public override void WriteTo(Utf8JsonWriter writer) => writer.WriteNumberValue(Value);
    }

    [GenerateSerializer, Immutable, Alias("ob.PolicyValue.Float")]
    public sealed record Float(double Value) : PolicyValue
    {
        public override string ToErlangText() => ErlangTermText.Format(Value);

        // A whole number keeps its ".0", so that the JSON reads back as a float (see NumberFromJson), as RabbitMQ writes 1.0.
        public override void WriteTo(Utf8JsonWriter writer)
        {
            var text = Value.ToString("R", CultureInfo.InvariantCulture);
            writer.WriteRawValue(text.AsSpan().IndexOfAny('.', 'E') >= 0 ? text : text + ".0", skipInputValidation: true);
        }
    }

    [GenerateSerializer, Immutable, Alias("ob.PolicyValue.Bool")]
    public sealed record Bool(bool Value) : PolicyValue
    {
        public override string ToErlangText() => Value ? "true" : "false";

        public override void WriteTo(Utf8JsonWriter writer) => writer.WriteBooleanValue(Value);
    }

    /// <summary>JSON null, which RabbitMQ decodes to the atom null.</summary>
    [GenerateSerializer, Immutable, Alias("ob.PolicyValue.Null")]
    public sealed record Null : PolicyValue
    {
        public static readonly Null Instance = new();

        public override string ToErlangText() => "null";

        public override void WriteTo(Utf8JsonWriter writer) => writer.WriteNullValue();
    }

    [GenerateSerializer, Immutable, Alias("ob.PolicyValue.List")]
    public sealed record List(ImmutableArray<PolicyValue> Items) : PolicyValue
    {
        public bool Equals(List? other) => other is not null && Items.SequenceEqual(other.Items);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var item in Items)
            {
                hash.Add(item);
            }

            return hash.ToHashCode();
        }

        /// <summary>An Erlang list; one of small integers that are all printable Latin-1 prints as a string ("AB"), as ~p does.</summary>
        public override string ToErlangText()
        {
            if (Items.Length > 0 && Items.All(item => item is Integer { Value: (>= 32 and <= 126) or (>= 160 and <= 255) or (>= 8 and <= 13) or 27 }))
            {
                return ErlangStringText.Format(Encoding.Latin1.GetString([.. Items.Select(item => (byte)((Integer)item).Value)]));
            }

            return "[" + string.Join(",", Items.Select(item => item.ToErlangText())) + "]";
        }

        public override void WriteTo(Utf8JsonWriter writer)
        {
            writer.WriteStartArray();
            foreach (var item in Items)
            {
                item.WriteTo(writer);
            }

            writer.WriteEndArray();
        }
    }

    /// <summary>A JSON object: entries sorted by key as an Erlang map keeps them.</summary>
    [GenerateSerializer, Immutable, Alias("ob.PolicyValue.Map")]
    public sealed record Map(ImmutableArray<KeyValuePair<string, PolicyValue>> Entries) : PolicyValue
    {
        /// <summary>A map of these entries, sorted by key; of duplicate keys the last wins, as in a decoded JSON object.</summary>
        public static Map Of(IEnumerable<KeyValuePair<string, PolicyValue>> entries) => new(SortedByKey(entries));

        internal static ImmutableArray<KeyValuePair<string, PolicyValue>> SortedByKey(IEnumerable<KeyValuePair<string, PolicyValue>> entries)
        {
            var byKey = new Dictionary<string, PolicyValue>(StringComparer.Ordinal);
            foreach (var (key, value) in entries)
            {
                byKey[key] = value;
            }

            return [.. byKey.OrderBy(entry => entry.Key, Utf8ByteOrder.Instance)];
        }

        public bool Equals(Map? other) => other is not null && Entries.SequenceEqual(other.Entries);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var entry in Entries)
            {
                hash.Add(entry);
            }

            return hash.ToHashCode();
        }

        public override string ToErlangText() =>
            "#{" + string.Join(",", Entries.Select(e => ErlangTermText.Format(e.Key) + " => " + e.Value.ToErlangText())) + "}";

        public override void WriteTo(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            foreach (var (key, value) in Entries)
            {
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }
    }
}
