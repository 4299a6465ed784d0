using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Silo.Storage.Serialization;
using OrleansBroker.Tests.Grains;

namespace OrleansBroker.Tests.QueueFeatures;

/// <summary>
/// The policies in force on a queue are kept in its grain state and cross grain boundaries (the virtual host tells the
/// queue): both ways they come back equal, every kind of definition value with its type.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class AppliedPoliciesStorageTests(OneSiloCluster cluster)
{
    private static readonly AppliedPolicies Sample = new(
        new Policy("/", "p", "^orders$", PolicyApplyTo.Queues, 3, PolicyDefinition.ParseJson(
            """{"message-ttl":60000,"dead-letter-exchange":"dlx","x-float":1.0,"x-bool":true,"x-null":null,"x-list":[1,"a"],"x-map":{"k":2}}""")),
        new Policy("/", "op", ".*", PolicyApplyTo.All, 0, PolicyDefinition.ParseJson("""{"max-length":10}""")));

    [Fact]
    public void Grain_state_stores_them_as_json_and_reads_them_back()
    {
        var stored = GrainStateSerializer.Serialize(new QueueState { VirtualHost = "/", Policies = Sample });

        Assert.Contains("\"definition\":{\"dead-letter-exchange\":\"dlx\",\"message-ttl\":60000,", stored);
        Assert.Contains("\"x-float\":1.0", stored);
        Assert.Equal(Sample, GrainStateSerializer.Deserialize<QueueState>(stored).Policies);
    }

    [Fact]
    public void A_queue_state_stored_before_policies_reads_as_none()
    {
        Assert.Null(GrainStateSerializer.Deserialize<QueueState>("""{"format":1,"state":{"virtualHost":"/"}}""").Policies);
    }

    [Fact]
    public void Orleans_serializer_round_trips_them()
    {
        var serializer = cluster.Client.ServiceProvider.GetRequiredService<Serializer>();

        var copy = serializer.Deserialize<AppliedPolicies>(serializer.SerializeToArray(Sample));

        Assert.Equal(Sample, copy);
        Assert.Equal(new PolicyValue.Float(1.0), copy!.Policy!.Definition.First(e => e.Key == "x-float").Value);
        Assert.Equal(PolicyKind.OperatorPolicy, serializer.Deserialize<PolicyKind>(serializer.SerializeToArray(PolicyKind.OperatorPolicy)));
    }
}
