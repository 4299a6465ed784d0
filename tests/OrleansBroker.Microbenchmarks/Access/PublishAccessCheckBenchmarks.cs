using BenchmarkDotNet.Attributes;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Grains.Access;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Microbenchmarks.Access;

/// <summary>
/// The permission check of one basic.publish (<see cref="AccessChecks.Publish"/>) against a dictionary hit, its bar:
/// the same exchange again (a reference compare), two exchanges in turn (a set lookup), and the baseline.
/// </summary>
public class PublishAccessCheckBenchmarks
{
    private readonly Dictionary<string, int> _baseline = new(StringComparer.Ordinal) { ["orders"] = 1, ["events"] = 2 };
    private AccessChecks _checks = null!;
    private string _orders = null!;
    private string _events = null!;

    [GlobalSetup]
    public void Setup()
    {
        var permissions = new ConnectionPermissions("app", "/", new UserPermission("app", "/", "^app-", ".*", ".*"), [], []);
        _checks = new AccessChecks(permissions, new VirtualHostRoutingTable("/"));
        _orders = "orders";
        _events = new string("events".AsSpan());
        _checks.Publish(_orders, "k");
        _checks.Publish(_events, "k");
    }

    [Benchmark(Baseline = true)]
    public bool DictionaryHit() => _baseline.ContainsKey(_events);

    [Benchmark]
    public void Publish_SameExchange() => _checks.Publish(_orders, "k");

    [Benchmark]
    public void Publish_TwoExchangesInTurn()
    {
        _checks.Publish(_orders, "k");
        _checks.Publish(_events, "k");
    }
}
