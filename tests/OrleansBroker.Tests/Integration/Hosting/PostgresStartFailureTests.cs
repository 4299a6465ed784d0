using Npgsql;
using OrleansBroker.Tests.Infrastructure;

namespace OrleansBroker.Tests.Integration.Hosting;

/// <summary>
/// The broker started with a PostgreSQL database it cannot use: the command line says so in one line naming the server
/// and database (never the password) and exits 1, as for any other configuration problem.
/// </summary>
public sealed class PostgresStartFailureTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [PostgresFact]
    public async Task A_wrong_password_is_one_line_naming_server_and_database()
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString) { Password = "not-the-password-" + Guid.NewGuid().ToString("N") };

        var run = await BrokerCommand.RunAsync("--amqp-port", "0", "--bind", "127.0.0.1", "--data-dir", _dataDir, "--postgres", settings.ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            $"OrleansBroker cannot start: The grain storage database '{settings.Database}' on PostgreSQL {settings.Host}:{settings.Port} cannot be opened: 28P01: password authentication failed for user \"{settings.Username}\"",
            run.StandardError.TrimEnd());
        Assert.DoesNotContain(settings.Password, run.StandardOutput + run.StandardError);
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_one_line_naming_it()
    {
        // Needs no PostgreSQL: port 9 on the loopback (discard) has nothing listening on these machines.
        var run = await BrokerCommand.RunAsync(
            "--amqp-port", "0", "--bind", "127.0.0.1", "--data-dir", _dataDir, "--postgres", "Host=127.0.0.1;Port=9;Username=postgres;Password=secret;Database=grains;Timeout=5");

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("OrleansBroker cannot start: The grain storage database 'grains' on PostgreSQL 127.0.0.1:9 cannot be opened: ", line);
        Assert.DoesNotContain("secret", run.StandardOutput + run.StandardError);
    }
}
