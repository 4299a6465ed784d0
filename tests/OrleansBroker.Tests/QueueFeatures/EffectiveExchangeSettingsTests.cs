using OrleansBroker.Amqp;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class EffectiveExchangeSettingsTests
{
    private static readonly Policy WithAlternate = new("/", "ae", ".*", PolicyApplyTo.Exchanges, 0,
        new PolicyDefinition([new("alternate-exchange", new PolicyValue.Text("from-policy"))]));

    [Fact]
    public void The_exchange_s_own_argument_wins()
    {
        var settings = EffectiveExchangeSettings.Resolve(new FieldTable([new("alternate-exchange", "own")]), new AppliedPolicies(WithAlternate, null));

        Assert.Equal("own", settings.AlternateExchange);
        Assert.Equal("ae", settings.PolicyName);
    }

    [Fact]
    public void The_policy_s_applies_without_an_argument()
    {
        Assert.Equal("from-policy", EffectiveExchangeSettings.Resolve(FieldTable.Empty, new AppliedPolicies(WithAlternate, null)).AlternateExchange);
        Assert.Null(EffectiveExchangeSettings.Resolve(FieldTable.Empty, AppliedPolicies.None).AlternateExchange);
    }
}
