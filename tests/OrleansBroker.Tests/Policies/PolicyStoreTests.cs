using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.Policies;

public sealed class PolicyStoreTests
{
    [Fact]
    public void Setting_a_policy_with_the_same_name_replaces_it()
    {
        var store = PolicyStore.Empty
            .Set(PolicyKind.Policy, Policy("/", "p", 1))
            .Set(PolicyKind.Policy, Policy("/", "p", 2));

        Assert.Equal(2, store.Find(PolicyKind.Policy, "/", "p")!.Priority);
        Assert.Single(store.List(PolicyKind.Policy));
    }

    [Fact]
    public void Policies_and_operator_policies_are_kept_apart()
    {
        var store = PolicyStore.Empty.Set(PolicyKind.OperatorPolicy, Policy("/", "p", 1));

        Assert.Null(store.Find(PolicyKind.Policy, "/", "p"));
        Assert.NotNull(store.Find(PolicyKind.OperatorPolicy, "/", "p"));
        Assert.Empty(store.List(PolicyKind.Policy));
    }

    /// <summary>Observed: GET /api/policies/%2f listed pb (1), pa (5), pc (9): ascending priority.</summary>
    [Fact]
    public void Lists_in_ascending_priority_as_RabbitMQ_does()
    {
        var store = PolicyStore.From([Policy("/", "pa", 5), Policy("/", "pb", 1), Policy("/", "pc", 9), Policy("v", "pd", 0)], []);

        Assert.Equal(["pb", "pa", "pc"], store.List(PolicyKind.Policy, "/").Select(p => p.Name));
        Assert.Equal(["pd", "pb", "pa", "pc"], store.List(PolicyKind.Policy).Select(p => p.Name));
    }

    [Fact]
    public void Clearing_removes_one_policy_and_a_virtual_host_all_of_its()
    {
        var store = PolicyStore.From([Policy("/", "a", 0), Policy("/", "b", 0), Policy("v", "c", 0)], [Policy("v", "op", 0)]);

        Assert.Equal(["b", "c"], store.Clear(PolicyKind.Policy, "/", "a").List(PolicyKind.Policy).Select(p => p.Name));
        Assert.Same(store, store.Clear(PolicyKind.Policy, "/", "missing"));
        var withoutV = store.ClearVirtualHost("v");
        Assert.Equal(["a", "b"], withoutV.List(PolicyKind.Policy).Select(p => p.Name));
        Assert.Empty(withoutV.List(PolicyKind.OperatorPolicy));
    }

    [Fact]
    public void Matching_sees_only_the_virtual_host_s_policies()
    {
        var store = PolicyStore.From([Policy("/", "root", 0), Policy("v", "other", 5)], [Policy("/", "cap", 0)]);

        var applied = store.ForVirtualHost("/").ForQueue("q", QueueType.Classic);

        Assert.Equal("root", applied.Policy?.Name);
        Assert.Equal("cap", applied.OperatorPolicy?.Name);
        Assert.Equal("other", store.ForVirtualHost("v").ForQueue("q", QueueType.Classic).Policy?.Name);
        Assert.Null(store.ForVirtualHost("none").ForQueue("q", QueueType.Classic).Policy);
    }

    [Fact]
    public void A_change_leaves_the_earlier_store_as_it_was()
    {
        var before = PolicyStore.From([Policy("/", "a", 0)], []);
        Assert.Equal("a", before.ForVirtualHost("/").ForQueue("q", QueueType.Classic).Policy?.Name);

        var after = before.Set(PolicyKind.Policy, Policy("/", "b", 9));

        Assert.Equal("a", before.ForVirtualHost("/").ForQueue("q", QueueType.Classic).Policy?.Name);
        Assert.Equal("b", after.ForVirtualHost("/").ForQueue("q", QueueType.Classic).Policy?.Name);
    }

    private static Policy Policy(string virtualHost, string name, int priority) =>
        new(virtualHost, name, ".*", PolicyApplyTo.All, priority, VirtualHostPoliciesTests.Definition(("max-length", 1)));
}
