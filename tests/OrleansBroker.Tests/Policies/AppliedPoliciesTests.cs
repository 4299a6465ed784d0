using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Tests.Policies;

public sealed class AppliedPoliciesTests
{
    private static readonly Policy Policy = new("/", "p", ".*", PolicyApplyTo.All, 0,
        VirtualHostPoliciesTests.Definition(("max-length", 7), ("message-ttl", 100), ("dead-letter-exchange", "dlx")));

    private static readonly Policy OperatorPolicy = new("/", "op", ".*", PolicyApplyTo.All, 0,
        VirtualHostPoliciesTests.Definition(("max-length", 3), ("message-ttl", 1000), ("expires", 50000)));

    [Fact]
    public void A_key_in_both_takes_the_smaller_limit()
    {
        var applied = new AppliedPolicies(Policy, OperatorPolicy);

        Assert.Equal(new PolicyValue.Integer(3), applied.Get("max-length"));
        Assert.Equal(new PolicyValue.Integer(100), applied.Get("message-ttl"));
    }

    [Fact]
    public void A_key_in_one_takes_its_value()
    {
        var applied = new AppliedPolicies(Policy, OperatorPolicy);

        Assert.Equal(new PolicyValue.Integer(50000), applied.Get("expires"));
        Assert.Equal(new PolicyValue.Text("dlx"), applied.Get("dead-letter-exchange"));
        Assert.Null(applied.Get("delivery-limit"));
    }

    [Fact]
    public void The_effective_definition_merges_both()
    {
        Assert.Equal(
            VirtualHostPoliciesTests.Definition(("dead-letter-exchange", "dlx"), ("expires", 50000), ("max-length", 3), ("message-ttl", 100)),
            new AppliedPolicies(Policy, OperatorPolicy).EffectiveDefinition);
        Assert.Equal(Policy.Definition, new AppliedPolicies(Policy, null).EffectiveDefinition);
        Assert.Equal(OperatorPolicy.Definition, new AppliedPolicies(null, OperatorPolicy).EffectiveDefinition);
        Assert.Null(AppliedPolicies.None.EffectiveDefinition);
    }

    [Fact]
    public void Booleans_in_both_take_the_operator_s()
    {
        var policy = Policy with { Definition = VirtualHostPoliciesTests.Definition(("flag", true)) };
        var operatorPolicy = OperatorPolicy with { Definition = VirtualHostPoliciesTests.Definition(("flag", false)) };

        Assert.Equal(new PolicyValue.Bool(false), new AppliedPolicies(policy, operatorPolicy).Get("flag"));
    }
}
