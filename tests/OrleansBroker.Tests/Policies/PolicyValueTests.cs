using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Tests.Policies;

public sealed class PolicyValueTests
{
    /// <summary>How the reference broker printed these JSON values in "... is not a valid message TTL".</summary>
    [Theory]
    [InlineData("-1", "-1")]
    [InlineData("\"x\"", "<<\"x\">>")]
    [InlineData("1.5", "1.5")]
    [InlineData("1000.0", "1.0e3")]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    [InlineData("[1]", "[1]")]
    [InlineData("[65,66]", "\"AB\"")]
    [InlineData("{\"a\":1}", "#{<<\"a\">> => 1}")]
    public void Prints_values_as_RabbitMQ_s_texts_do(string json, string erlang)
    {
        Assert.Equal(erlang, PolicyValue.ParseJson(json).ToErlangText());
    }

    [Fact]
    public void Reads_JSON_numbers_as_jsx_does()
    {
        Assert.Equal(new PolicyValue.Integer(60000), PolicyValue.ParseJson("60000"));
        Assert.Equal(new PolicyValue.Float(1000.0), PolicyValue.ParseJson("1e3"));
        Assert.Equal(new PolicyValue.Float(1000.0), PolicyValue.ParseJson("1000.0"));
        Assert.Throws<FormatException>(() => PolicyValue.ParseJson("123456789012345678901234567890"));
    }

    [Fact]
    public void Compares_by_value()
    {
        Assert.Equal(PolicyValue.ParseJson("{\"b\":[1,\"x\"],\"a\":null}"), PolicyValue.ParseJson("{\"a\":null,\"b\":[1,\"x\"]}"));
        Assert.NotEqual(PolicyValue.ParseJson("[1,2]"), PolicyValue.ParseJson("[2,1]"));
        Assert.Equal(PolicyValue.ParseJson("[1,2]").GetHashCode(), PolicyValue.ParseJson("[1,2]").GetHashCode());
    }

    [Fact]
    public void Writes_JSON_back()
    {
        Assert.Equal("{\"a\":[1,2.5,\"x\",true,null]}", PolicyValue.ParseJson("{ \"a\" : [1, 2.5, \"x\", true, null] }").ToJson());
    }

    [Fact]
    public void A_definition_is_sorted_by_key_and_the_last_duplicate_wins()
    {
        var definition = PolicyDefinition.ParseJson("{\"max-length\":1,\"dead-letter-exchange\":\"d\",\"max-length\":2}");

        Assert.Equal(["dead-letter-exchange", "max-length"], definition.Keys);
        Assert.Equal(2, definition.GetInteger("max-length"));
        Assert.Equal("d", definition.GetText("dead-letter-exchange"));
        Assert.Null(definition.GetText("max-length"));
        Assert.Equal("{\"dead-letter-exchange\":\"d\",\"max-length\":2}", definition.ToJson());
        Assert.Equal(definition, PolicyDefinition.ParseJson("{\"max-length\":2,\"dead-letter-exchange\":\"d\"}"));
        Assert.Equal(3, definition.With("max-length", new PolicyValue.Integer(3)).GetInteger("max-length"));
        Assert.Throws<FormatException>(() => PolicyDefinition.ParseJson("[1]"));
    }
}
