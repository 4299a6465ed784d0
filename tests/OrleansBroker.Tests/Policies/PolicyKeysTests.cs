using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Tests.Policies;

public sealed class PolicyKeysTests
{
    /// <summary>rabbit_policies registers these operator policy validators in 3.10; anything else in an operator policy is "not recognised" (observed for overflow, dead-letter-exchange, queue-mode, ha-mode).</summary>
    [Fact]
    public void Operator_policies_allow_only_the_numeric_limits()
    {
        Assert.Equal(
            ["delivery-limit", "expires", "max-in-memory-bytes", "max-in-memory-length", "max-length", "max-length-bytes", "message-ttl"],
            PolicyKeys.All.Where(key => key.AllowedInOperatorPolicies).Select(key => key.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_key_says_what_it_does()
    {
        Assert.All(PolicyKeys.All, key => Assert.False(string.IsNullOrWhiteSpace(key.Effect)));
        Assert.Equal(PolicyKeys.All.Count, PolicyKeys.All.Select(key => key.Name).Distinct().Count());
    }

    [Fact]
    public void Classic_mirroring_is_refused()
    {
        Assert.Equal(
            ["ha-mode", "ha-params", "ha-promote-on-failure", "ha-promote-on-shutdown", "ha-sync-batch-size", "ha-sync-mode"],
            PolicyKeys.All.Where(key => key.Support == PolicyKeySupport.Refused).Select(key => key.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Issue_9_keys_are_applied()
    {
        foreach (var name in (string[])["message-ttl", "expires", "max-length", "max-length-bytes", "overflow", "dead-letter-exchange", "dead-letter-routing-key", "delivery-limit", "queue-mode", "alternate-exchange"])
        {
            Assert.Equal(PolicyKeySupport.Applied, PolicyKeys.Find(name)!.Support);
        }

        Assert.Null(PolicyKeys.Find("federation-upstream"));
        Assert.False(PolicyKeys.IsKnown(PolicyKind.OperatorPolicy, "overflow"));
        Assert.True(PolicyKeys.IsKnown(PolicyKind.Policy, "ha-mode"));
    }
}
