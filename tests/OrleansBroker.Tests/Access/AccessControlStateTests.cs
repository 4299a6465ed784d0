using OrleansBroker.Grains.Access;
using OrleansBroker.Silo.Storage.Serialization;

namespace OrleansBroker.Tests.Access;

/// <summary>The user store's state survives the broker's grain-state format (SQLite and PostgreSQL alike).</summary>
public sealed class AccessControlStateTests
{
    [Fact]
    public void The_state_round_trips_through_the_grain_state_format()
    {
        var state = new AccessControlState { Initialized = true };
        state.Users["bob"] = UserRecord.WithPassword("bob", "secret", UserTags.Management, "custom");
        state.VirtualHosts["/"] = new VirtualHostRecord("/", "the default", ["prod"], new VirtualHostLimits(5, null));
        state.Permissions.Add(new UserPermission("bob", "/", "", "^amq\\.", ".*"));
        state.TopicPermissions.Add(new TopicPermission("bob", "/", "amq.topic", "^{username}\\.", ".*"));

        var read = GrainStateSerializer.Deserialize<AccessControlState>(GrainStateSerializer.Serialize(state));

        Assert.True(read.Initialized);
        var bob = read.Users["bob"];
        Assert.Equal(state.Users["bob"].PasswordHash, bob.PasswordHash);
        Assert.Equal(["management", "custom"], bob.Tags);
        Assert.True(PasswordHashing.Verify("secret", bob.PasswordHash, bob.HashingAlgorithm));
        Assert.Equal(new VirtualHostLimits(5, null), read.VirtualHosts["/"].Limits);
        Assert.Equal(["prod"], read.VirtualHosts["/"].Tags);
        Assert.Equal(state.Permissions, read.Permissions);
        Assert.Equal(state.TopicPermissions, read.TopicPermissions);
        Assert.Equal(StringComparer.Ordinal, read.Users.Comparer);
    }
}
