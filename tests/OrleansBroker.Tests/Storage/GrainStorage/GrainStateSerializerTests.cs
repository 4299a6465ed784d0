using System.Text.Json;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Storage.Serialization;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>The stored format itself, without a database.</summary>
public sealed class GrainStateSerializerTests
{
    [Fact]
    public void The_stored_text_is_versioned_and_readable()
    {
        var state = new ExchangeState
        {
            VirtualHost = "/",
            Declaration = new ExchangeDeclaration("logs", "fanout", true, false, false, FieldTable.Empty),
            Bindings = [new Binding("logs", BindingDestination.Queue("q"), "", FieldTable.Empty)],
        };

        Assert.Equal(
            """{"format":1,"state":{"virtualHost":"/","declaration":{"name":"logs","type":"fanout","durable":true,"autoDelete":false,"internal":false,"arguments":"AAAAAA=="},"bindings":[{"source":"logs","destination":{"kind":"Queue","name":"q"},"routingKey":"","arguments":"AAAAAA=="}]}}""",
            GrainStateSerializer.Serialize(state));
    }

    [Fact]
    public void Non_ascii_names_are_stored_as_themselves()
    {
        var stored = GrainStateSerializer.Serialize(new QueueState { VirtualHost = "ünï <&> ключ 队列 🐇" });

        Assert.Contains("\"virtualHost\":\"ünï <&> ключ 队列 \\uD83D\\uDC07\"", stored);
        Assert.Equal("ünï <&> ключ 队列 🐇", GrainStateSerializer.Deserialize<QueueState>(stored).VirtualHost);
    }

    [Fact]
    public void A_field_table_is_stored_as_its_amqp_encoding()
    {
        var table = SampleStates.EveryValueType();
        var encoded = new byte[AmqpSizes.Table(table)];
        new AmqpWriter(encoded).WriteTable(table);

        var stored = GrainStateSerializer.Serialize(new QueueState { Declaration = SampleStates.Queue("q", table) });

        Assert.Contains($"\"arguments\":\"{Convert.ToBase64String(encoded)}\"", stored);
        var read = GrainStateSerializer.Deserialize<QueueState>(stored);
        StoredStateAssert.Same(table, read.Declaration!.Arguments);
    }

    [Fact]
    public void Every_state_type_round_trips_exactly()
    {
        StoredStateAssert.Same(SampleStates.VirtualHost(), RoundTrip(SampleStates.VirtualHost()));
        StoredStateAssert.Same(SampleStates.Exchange(), RoundTrip(SampleStates.Exchange()));
        StoredStateAssert.Same(SampleStates.Queue(), RoundTrip(SampleStates.Queue()));
    }

    [Fact]
    public void A_dictionary_comes_back_with_the_comparer_its_owner_made_it_with()
    {
        var state = new CaseInsensitiveState();
        state.Names["Alpha"] = 1;

        var read = RoundTrip(state);

        Assert.Same(StringComparer.OrdinalIgnoreCase, read.Names.Comparer);
        Assert.Equal(1, read.Names["ALPHA"]);
        Assert.Same(StringComparer.Ordinal, RoundTrip(new VirtualHostState()).Exchanges.Comparer);
    }

    [Fact]
    public void Entries_a_constructor_adds_do_not_come_back_once_removed()
    {
        var state = new StateWithDefaults();
        state.Entries.Remove("default");
        state.Entries["kept"] = 2;

        var read = RoundTrip(state);

        Assert.Equal(["kept"], read.Entries.Keys);
    }

    [Fact]
    public void Text_that_is_not_json_is_refused()
    {
        var error = Assert.Throws<GrainStateFormatException>(() => GrainStateSerializer.Deserialize<QueueState>("{\"format\":1,\"state\":{"));

        Assert.IsAssignableFrom<JsonException>(error.InnerException);
    }

    [Theory]
    [InlineData("[]", "not an object")]
    [InlineData("{\"state\":{}}", "no integer \"format\"")]
    [InlineData("{\"format\":\"1\",\"state\":{}}", "no integer \"format\"")]
    [InlineData("{\"format\":0,\"state\":{}}", "format version 0")]
    [InlineData("{\"format\":2,\"state\":{}}", "format version 2")]
    [InlineData("{\"format\":1}", "no \"state\" object")]
    [InlineData("{\"format\":1,\"state\":null}", "no \"state\" object")]
    public void Stored_text_of_the_wrong_shape_is_refused_saying_why(string stored, string reason)
    {
        var error = Assert.Throws<GrainStateFormatException>(() => GrainStateSerializer.Deserialize<QueueState>(stored));

        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("missing required properties", """{"name":"q","durable":true,"exclusive":false,"autoDelete":false}""")]
    [InlineData("doesn't allow null", """{"name":null,"durable":true,"exclusive":false,"autoDelete":false,"arguments":"AAAAAA=="}""")]
    [InlineData("not valid base64", """{"name":"q","durable":true,"exclusive":false,"autoDelete":false,"arguments":"!!"}""")]
    [InlineData("as a base64 string", """{"name":"q","durable":true,"exclusive":false,"autoDelete":false,"arguments":{}}""")]
    [InlineData("not a valid AMQP field table", """{"name":"q","durable":true,"exclusive":false,"autoDelete":false,"arguments":"AAAAAQ=="}""")]
    [InlineData("not a valid AMQP field table", """{"name":"q","durable":true,"exclusive":false,"autoDelete":false,"arguments":"AAAAAAA="}""")]
    public void A_damaged_declaration_is_refused_not_half_loaded(string reason, string declaration)
    {
        var stored = $$$"""{"format":1,"state":{"virtualHost":"/","declaration":{{{declaration}}}}}""";

        var error = Assert.Throws<GrainStateFormatException>(() => GrainStateSerializer.Deserialize<QueueState>(stored));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void An_enum_stored_as_a_number_is_refused()
    {
        var stored = """{"format":1,"state":{"bindings":[{"source":"x","destination":{"kind":0,"name":"q"},"routingKey":"","arguments":"AAAAAA=="}]}}""";

        Assert.Throws<GrainStateFormatException>(() => GrainStateSerializer.Deserialize<ExchangeState>(stored));
    }

    [Fact]
    public void Properties_the_state_does_not_have_are_ignored()
    {
        var read = GrainStateSerializer.Deserialize<QueueState>("""{"format":1,"state":{"virtualHost":"/","addedLater":[1,2]}}""");

        Assert.Equal("/", read.VirtualHost);
    }

    private static TState RoundTrip<TState>(TState state) where TState : class =>
        GrainStateSerializer.Deserialize<TState>(GrainStateSerializer.Serialize(state));

    private sealed class CaseInsensitiveState
    {
        public Dictionary<string, int> Names { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    }

    private sealed class StateWithDefaults
    {
        public Dictionary<string, int> Entries { get; set; } = new(StringComparer.Ordinal) { ["default"] = 1 };
    }
}
