using System.Text.Json;
using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Tests.Policies;

public sealed class PolicyValidationTests
{
    /// <summary>
    /// PUT /api/policies/%2f/probe (or /api/operator-policies/...) on the reference broker (RabbitMQ 3.10.8) with this
    /// body: the 400 "reason" (HTML-unescaped), or null where it answered 201. rabbitmqctl set_policy prints the same
    /// text after "Error:". Recorded by tests/OrleansBroker.Tests/Policies/reference/policies.py.
    /// </summary>
    public static TheoryData<PolicyKind, string, string?> ObservedOnReferenceBroker() => new()
    {
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": -1}}", "Validation failed\n\n-1 is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": \"x\"}}", "Validation failed\n\n<<\"x\">> is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": 1.5}}", "Validation failed\n\n1.5 is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": 1000.0}}", "Validation failed\n\n1.0e3 is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": true}}", "Validation failed\n\ntrue is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": null}}", "Validation failed\n\nnull is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": [1]}}", "Validation failed\n\n[1] is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": [65, 66]}}", "Validation failed\n\n\"AB\" is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": {\"a\": 1}}}", "Validation failed\n\n#{<<\"a\">> => 1} is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": 0}}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": 999999999999999}}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"expires\": 0}}", "Validation failed\n\n0 is not a valid queue expiry\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"expires\": -1}}", "Validation failed\n\n-1 is not a valid queue expiry\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"expires\": \"x\"}}", "Validation failed\n\n<<\"x\">> is not a valid queue expiry\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-length\": -1}}", "Validation failed\n\n-1 is not a valid maximum length\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-length\": \"10\"}}", "Validation failed\n\n<<\"10\">> is not a valid maximum length\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-length-bytes\": -1}}", "Validation failed\n\n-1 is not a valid maximum length in bytes\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-in-memory-length\": -1}}", "Validation failed\n\n-1 is not a valid maximum memory in bytes\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-in-memory-bytes\": -1}}", "Validation failed\n\n-1 is not a valid maximum memory in bytes\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"overflow\": \"foo\"}}", "Validation failed\n\n<<\"foo\">> is not a valid overflow value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"overflow\": 1}}", "Validation failed\n\n1 is not a valid overflow value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"overflow\": \"reject-publish-dlx\"}}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"dead-letter-exchange\": 1}}", "Validation failed\n\n1 is not a valid dead letter exchange name\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"dead-letter-exchange\": \"\"}}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"dead-letter-routing-key\": 1}}", "Validation failed\n\n1 is not a valid dead letter routing key\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"dead-letter-routing-key\": \"rk\"}}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"dead-letter-strategy\": \"foo\"}}", "Validation failed\n\n<<\"foo\">> is not a valid dead letter strategy\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"delivery-limit\": -1}}", "Validation failed\n\n-1 is not a valid delivery limit\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"queue-mode\": \"foo\"}}", "Validation failed\n\n<<\"foo\">> is not a valid queue-mode value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"queue-version\": 3}}", "Validation failed\n\n3 is not a valid queue-version value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"queue-version\": \"1\"}}", "Validation failed\n\n<<\"1\">> is not a valid queue-version value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"alternate-exchange\": 1}}", "Validation failed\n\n1 is not a valid alternate exchange name\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-age\": \"1x\"}}", "Validation failed\n\n<<\"1x\">> is not a valid max age\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-age\": \"0D\"}}", "Validation failed\n\n<<\"0D\">> is not a valid max age\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-age\": \"10D\"}}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"queue-leader-locator\": \"foo\"}}", "Validation failed\n\n<<\"foo\">> is not a valid queue leader locator value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"initial-cluster-size\": -1}}", "Validation failed\n\n-1 is not a valid cluster size\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"stream-max-segment-size-bytes\": -1}}", "Validation failed\n\n-1 is not a valid segment size\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"stream-max-segment-size-bytes\": 3000000000}}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"queue-master-locator\": \"foo\"}}", "Validation failed\n\n<<\"foo\">> invalid queue-master-locator value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"queue-master-locator\": 1}}", "Validation failed\n\n1 invalid queue-master-locator value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {}}", "Validation failed\n\nno policy provided\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": -1, \"expires\": 0}}", "Validation failed\n\n0 is not a valid queue expiry\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-length\": -1, \"expires\": 0}}", "Validation failed\n\n0 is not a valid queue expiry\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"foo\": 1, \"message-ttl\": -1}}", "Validation failed\n\n-1 is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"foo\": 1, \"message-ttl\": 5}}", "Validation failed\n\n[{<<\"foo\">>,1}] are not recognised policy settings\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"federation-upstream\": \"x\"}}", "Validation failed\n\n[{<<\"federation-upstream\">>,<<\"x\">>}] are not recognised policy settings\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"max-priority\": 10}}", "Validation failed\n\n[{<<\"max-priority\">>,10}] are not recognised policy settings\n" },
        { PolicyKind.Policy, "{\"pattern\": \"(\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"missing )\",1}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"[a\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"missing terminating ] for character class\",\n                                                      2}\n" },
        { PolicyKind.Policy, "{\"pattern\": 1, \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be a binary but was 1\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": 5}, \"priority\": \"x\"}", "Validation failed\n\npriority should be a number, actually was <<\"x\">>\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": 5}, \"priority\": -3}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": 5}, \"apply-to\": \"foo\"}", "Validation failed\n\napply-to 'foo' unrecognised; should be 'queues', 'exchanges' or 'all'\n" },
        { PolicyKind.Policy, "{\"pattern\": \"(\", \"definition\": {\"message-ttl\": -1}, \"priority\": \"x\", \"apply-to\": \"foo\"}", "Validation failed\n\n-1 is not a valid message TTL\napply-to 'foo' unrecognised; should be 'queues', 'exchanges' or 'all'\npattern should be regular expression but is invalid: {\"missing )\",1}\npriority should be a number, actually was <<\"x\">>\n" },
        { PolicyKind.OperatorPolicy, "{\"pattern\": \"^zz\", \"definition\": {\"overflow\": \"drop-head\"}}", "Validation failed\n\n[{<<\"overflow\">>,<<\"drop-head\">>}] are not recognised policy settings\n" },
        { PolicyKind.OperatorPolicy, "{\"pattern\": \"^zz\", \"definition\": {\"dead-letter-exchange\": \"x\"}}", "Validation failed\n\n[{<<\"dead-letter-exchange\">>,<<\"x\">>}] are not recognised policy settings\n" },
        { PolicyKind.OperatorPolicy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": -1}}", "Validation failed\n\n-1 is not a valid message TTL\n" },
        { PolicyKind.OperatorPolicy, "{\"pattern\": \"^zz\", \"definition\": {\"expires\": 0}}", "Validation failed\n\n0 is not a valid queue expiry\n" },
        { PolicyKind.OperatorPolicy, "{\"pattern\": \"^zz\", \"definition\": {\"delivery-limit\": 5, \"max-in-memory-bytes\": 5, \"max-in-memory-length\": 1, \"max-length\": 1, \"max-length-bytes\": 1, \"message-ttl\": 1, \"expires\": 1}}", null },
        { PolicyKind.OperatorPolicy, "{\"pattern\": \"^zz\", \"definition\": {\"ha-mode\": \"all\"}}", "Validation failed\n\n[{<<\"ha-mode\">>,<<\"all\">>}] are not recognised policy settings\n" },
        { PolicyKind.OperatorPolicy, "{\"pattern\": \"^zz\", \"definition\": {\"queue-mode\": \"lazy\"}}", "Validation failed\n\n[{<<\"queue-mode\">>,<<\"lazy\">>}] are not recognised policy settings\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"message-ttl\": -1, \"queue-master-locator\": \"foo\"}}", "Validation failed\n\n<<\"foo\">> invalid queue-master-locator value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"ha-mode\": \"foo\", \"message-ttl\": -1}}", "Validation failed\n\n-1 is not a valid message TTL\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"ha-mode\": \"foo\", \"queue-master-locator\": \"foo\"}}", "Validation failed\n\n<<\"foo\">> invalid queue-master-locator value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"ha-mode\": \"foo\", \"queue-master-locator\": \"foo\", \"zzz\": 1}}", "Validation failed\n\n<<\"foo\">> invalid queue-master-locator value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"zzz\": 1, \"aaa\": \"x\"}}", "Validation failed\n\n[{<<\"aaa\">>,<<\"x\">>},{<<\"zzz\">>,1}] are not recognised policy settings\n" },
        { PolicyKind.Policy, "{\"pattern\": \"a{2,1}\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"numbers out of order in {} quantifier\",\n                                                      5}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"*a\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"nothing to repeat\",0}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"a)\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"unmatched parentheses\",\n                                                      1}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"\\\\\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"\\\\ at end of pattern\",\n                                                      1}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"\\\\p{Foo}\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"unknown property name after \\\\P or \\\\p\",\n                                                      6}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"[z-a]\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"range out of order in character class\",\n                                                      3}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"\\\\k<zz>\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"reference to non-existent subpattern\",\n                                                      5}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"a|*\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"nothing to repeat\",2}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"aaaaaaaaaaa|*\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"nothing to repeat\",12}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|*\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"nothing to repeat\",102}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|*\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"nothing to repeat\",\n                                                      1002}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"a(?\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"unrecognized character after (? or (?-\",\n                                                      3}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"(?z)\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"unrecognized character after (? or (?-\",\n                                                      2}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"\\\\c\", \"definition\": {\"message-ttl\": 5}}", "Validation failed\n\npattern should be regular expression but is invalid: {\"\\\\c at end of pattern\",\n                                                      2}\n" },
        { PolicyKind.Policy, "{\"pattern\": \"x{2\", \"definition\": {\"message-ttl\": 5}}", null },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"overflow\": \"\u00e9\"}}", "Validation failed\n\n<<\"\u00e9\">> is not a valid overflow value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"overflow\": \"\u20ac\"}}", "Validation failed\n\n<<226,130,172>> is not a valid overflow value\n" },
        { PolicyKind.Policy, "{\"pattern\": \"^zz\", \"definition\": {\"\u00e9\": 1}}", "Validation failed\n\n[{<<\"\u00e9\">>,1}] are not recognised policy settings\n" },
    };

    [Theory]
    [MemberData(nameof(ObservedOnReferenceBroker))]
    public void Validates_as_RabbitMQ_does(PolicyKind kind, string body, string? expected)
    {
        var result = Validate(kind, body);

        Assert.Equal(expected, result.ErrorText);
        Assert.Equal(expected is null, result.IsValid);
    }

    [Theory]
    [InlineData("{\"ha-mode\":\"all\"}", "ha-mode")]
    [InlineData("{\"ha-params\":2}", "ha-params")]
    [InlineData("{\"ha-mode\":\"all\",\"ha-sync-mode\":\"automatic\"}", "ha-mode")]
    [InlineData("{\"ha-promote-on-failure\":\"always\",\"message-ttl\":5}", "ha-promote-on-failure")]
    public void Refuses_classic_mirroring_pointing_to_quorum_queues(string definition, string key)
    {
        // A deliberate difference: RabbitMQ 3.10 accepts {"ha-mode":"all"} (201).
        var result = Validate(PolicyKind.Policy, $"{{\"pattern\":\"^zz\",\"definition\":{definition}}}");

        Assert.Equal(
            $"Validation failed\n\n{key} is not supported: classic queue mirroring is deprecated in RabbitMQ 3.10 and removed in RabbitMQ 4; " +
            "declare the queue with x-queue-type=quorum for a replicated queue\n",
            result.ErrorText);
    }

    [Fact]
    public void Operator_policies_refuse_mirroring_as_RabbitMQ_does()
    {
        // Observed: PUT /api/operator-policies with {"ha-mode":"all"}.
        Assert.Equal(
            "Validation failed\n\n[{<<\"ha-mode\">>,<<\"all\">>}] are not recognised policy settings\n",
            Validate(PolicyKind.OperatorPolicy, "{\"pattern\":\"^zz\",\"definition\":{\"ha-mode\":\"all\"}}").ErrorText);
    }

    /// <summary>Where RabbitMQ's management API answers 500 (a crash), this answers with the validation text RabbitMQ's own check would give.</summary>
    [Theory]
    [InlineData("{\"pattern\":\"^zz\",\"definition\":{\"max-age\":10}}", "10 is not a valid max age")]
    [InlineData("{\"pattern\":\"^zz\",\"definition\":[1,2]}", "definition must be a dictionary: [1,2]")]
    [InlineData("{\"pattern\":\"^zz\",\"definition\":\"x\"}", "definition must be a dictionary: <<\"x\">>")]
    public void Answers_where_RabbitMQ_crashes(string body, string error)
    {
        Assert.Equal($"Validation failed\n\n{error}\n", Validate(PolicyKind.Policy, body).ErrorText);
    }

    [Fact]
    public void Refuses_a_priority_that_is_not_an_integer()
    {
        // A deliberate difference: RabbitMQ 3.10 takes any number (1.5 answered 201).
        Assert.Equal(
            "Validation failed\n\npriority should be an integer, actually was 1.5\n",
            Validate(PolicyKind.Policy, "{\"pattern\":\"^zz\",\"definition\":{\"message-ttl\":5},\"priority\":1.5}").ErrorText);
    }

    [Fact]
    public void Builds_the_policy_with_RabbitMQ_s_defaults()
    {
        var result = Validate(PolicyKind.Policy, "{\"pattern\":\"^q\\\\.\",\"definition\":{\"message-ttl\":60000,\"dead-letter-exchange\":\"dlx\"}}");

        var policy = Assert.IsType<Policy>(result.Policy);
        Assert.Equal("/", policy.VirtualHost);
        Assert.Equal("probe", policy.Name);
        Assert.Equal("^q\\.", policy.Pattern);
        Assert.Equal(PolicyApplyTo.All, policy.ApplyTo);
        Assert.Equal(0, policy.Priority);
        Assert.Equal(["dead-letter-exchange", "message-ttl"], policy.Definition.Keys);
        Assert.Equal(60000, policy.Definition.GetInteger("message-ttl"));
        Assert.Empty(result.Errors);
        Assert.Null(result.ErrorText);
    }

    [Fact]
    public void Takes_priority_and_apply_to()
    {
        var policy = Validate(PolicyKind.Policy, "{\"pattern\":\".*\",\"definition\":{\"max-length\":1},\"priority\":-3,\"apply-to\":\"queues\"}").Policy!;

        Assert.Equal(-3, policy.Priority);
        Assert.Equal(PolicyApplyTo.Queues, policy.ApplyTo);
    }

    [Fact]
    public void Validates_a_typed_policy()
    {
        var good = new Policy("/", "p", "^a", PolicyApplyTo.Exchanges, 1, new PolicyDefinition([new("alternate-exchange", new PolicyValue.Text("ae"))]));
        var bad = good with { Pattern = "(" };

        Assert.Same(good, PolicyValidation.Validate(PolicyKind.Policy, good).Policy);
        Assert.Equal(["pattern should be regular expression but is invalid: {\"missing )\",1}"], PolicyValidation.Validate(PolicyKind.Policy, bad).Errors);
    }

    private static PolicyValidationResult Validate(PolicyKind kind, string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        PolicyValue? Field(string name) => root.TryGetProperty(name, out var value) ? PolicyValue.FromJson(value) : null;
        return PolicyValidation.Validate(kind, "/", "probe", Field("pattern")!, Field("definition")!, Field("priority"), Field("apply-to"));
    }
}
