using OrleansBroker.Gateway.Authentication;

namespace OrleansBroker.Tests.Access;

/// <summary>loopback_users as the option holds it: names separated by commas, or "none".</summary>
public sealed class LoopbackUsersTests
{
    [Theory]
    [InlineData("guest", "guest", true)]
    [InlineData("guest", "admin", false)]
    [InlineData("guest, admin", "admin", true)]
    [InlineData("none", "guest", false)]
    [InlineData("", "guest", false)]
    [InlineData("guests", "guest", false)]
    public void A_user_is_loopback_only_when_named(string loopbackUsers, string user, bool expected) =>
        Assert.Equal(expected, LoopbackUsers.Contains(loopbackUsers, user));
}
