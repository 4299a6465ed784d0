using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OrleansBroker.Silo.Storage.Serialization;

/// <summary>
/// Turns a grain state object into the JSON text the durable grain storage providers keep, and back. Thread-safe.
/// </summary>
/// <remarks>
/// Stored format, version 1 — one JSON object:
/// <code>{"format":1,"state":{...}}</code>
/// <c>format</c> comes first and says how to read <c>state</c>. A reader refuses a format it does not know rather than
/// guess; a later format bumps <see cref="CurrentFormat"/> and adds a case to <c>Read</c> that
/// reads (migrates) the older shapes it replaces. <c>state</c> is the state object as System.Text.Json writes it, with:
/// <list type="bullet">
/// <item>property names camelCase, in declaration order; null values written as null;</item>
/// <item>records built through their constructors: every constructor parameter must be present, and a non-nullable
/// one (property or parameter) must not be null, so a damaged row fails instead of loading half a declaration;</item>
/// <item>enums by member name ("Queue", "Exchange"), so reordering an enum does not change what stored rows mean;</item>
/// <item>dictionaries as JSON objects in enumeration order, keys verbatim (exchange names are not camelCased), coming
/// back with the comparer the state's constructor gives them (<see cref="DictionaryComparerKeeper"/>);</item>
/// <item>an AMQP field table as a base64 string of its wire encoding (<see cref="FieldTableJsonConverter"/>);</item>
/// <item>text unescaped where JSON allows, so names are readable in the database (characters outside the Basic
/// Multilingual Plane, such as emoji, are still written as \u surrogate escapes).</item>
/// </list>
/// Properties the state type does not have are ignored, so a row written by a newer broker that only added
/// properties still loads.
/// </remarks>
public static class GrainStateSerializer
{
    /// <summary>The format version <see cref="Serialize{TState}"/> writes.</summary>
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>
    /// The stored text of <paramref name="state"/>; throws <see cref="GrainStateFormatException"/> when it holds what the
    /// format cannot store (a field-table value with no AMQP type, a cycle).
    /// </summary>
    public static string Serialize<TState>(TState state) => Encoding.UTF8.GetString(Write(state).WrittenSpan);

    /// <summary>What <see cref="Serialize{TState}"/> writes, as UTF-8 bytes (for providers that store bytes).</summary>
    public static byte[] SerializeToUtf8Bytes<TState>(TState state) => Write(state).WrittenSpan.ToArray();

    /// <summary>Reads what <see cref="Serialize{TState}"/> wrote; throws <see cref="GrainStateFormatException"/> saying what is wrong.</summary>
    public static TState Deserialize<TState>(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Read<TState>(() => JsonDocument.Parse(stored));
    }

    /// <summary>Reads what <see cref="SerializeToUtf8Bytes{TState}"/> wrote; throws <see cref="GrainStateFormatException"/> saying what is wrong.</summary>
    public static TState Deserialize<TState>(ReadOnlyMemory<byte> utf8) => Read<TState>(() => JsonDocument.Parse(utf8));

    private static ArrayBufferWriter<byte> Write<TState>(TState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder });
            writer.WriteStartObject();
            writer.WriteNumber("format", CurrentFormat);
            writer.WritePropertyName("state");
            JsonSerializer.Serialize(writer, state, Options);
            writer.WriteEndObject();
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new GrainStateFormatException($"{typeof(TState).Name} cannot be stored: {e.Message}", e);
        }

        return buffer;
    }

    private static TState Read<TState>(Func<JsonDocument> parse)
    {
        try
        {
            using var document = parse();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new GrainStateFormatException($"stored state is a JSON {root.ValueKind}, not an object");
            }

            if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Number || !format.TryGetInt32(out var version))
            {
                throw new GrainStateFormatException("stored state has no integer \"format\" version");
            }

            return version switch
            {
                1 => ReadFormat1<TState>(root),
                _ => throw new GrainStateFormatException(
                    $"stored state has format version {version}; this broker reads versions 1 to {CurrentFormat} (written by a newer broker?)"),
            };
        }
        catch (JsonException e)
        {
            throw new GrainStateFormatException($"stored state is not valid for {typeof(TState).Name}: {e.Message}", e);
        }
    }

    private static TState ReadFormat1<TState>(JsonElement root)
    {
        if (!root.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.Object)
        {
            throw new GrainStateFormatException("stored state (format 1) has no \"state\" object");
        }

        return state.Deserialize<TState>(Options)
            ?? throw new GrainStateFormatException("stored state (format 1) deserialized to null");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            // Stored text never reaches a web page; escaping only HTML-sensitive and non-ASCII text would hide names.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DictionaryComparerKeeper.KeepComparers } },
            Converters =
            {
                new FieldTableJsonConverter(),
                new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false),
            },
        };
        options.MakeReadOnly();
        return options;
    }
}
