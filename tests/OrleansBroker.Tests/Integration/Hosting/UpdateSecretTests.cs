using OrleansBroker.Tests.Infrastructure;

namespace OrleansBroker.Tests.Integration.Hosting;

/// <summary>
/// connection.update-secret, as RabbitMQ answers it for password users. RabbitMQ.Client 7.1.2 returns from
/// CreateConnectionAsync without waiting for connection.open-ok, so a channel-0 RPC issued at once can
/// receive that open-ok as its reply; a channel round trip first makes sure open-ok has been read.
/// </summary>
public sealed class UpdateSecretTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Update_secret_with_the_password_is_accepted_and_the_connection_carries_on()
    {
        await using var connection = await fixture.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await connection.UpdateSecretAsync("guest", "rotation");
        var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
        Assert.StartsWith("amq.gen-", queue.QueueName, StringComparison.Ordinal);
    }

    /// <summary>RabbitMQ 3.10's internal (password) backend does not check the new secret: any secret is accepted.</summary>
    [Fact]
    public async Task Update_secret_is_not_checked_for_password_users_as_in_RabbitMQ()
    {
        await using var connection = await fixture.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await connection.UpdateSecretAsync("not-the-password", "rotation");
        await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
        Assert.True(connection.IsOpen);
        Assert.True(channel.IsOpen);
    }
}
