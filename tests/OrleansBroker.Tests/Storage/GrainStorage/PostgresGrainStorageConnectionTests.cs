using OrleansBroker.Silo.Storage.AdoNet;
using OrleansBroker.Silo.Storage.AdoNet.Postgres;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>PostgreSQL connection failures that need no PostgreSQL server, so they run everywhere.</summary>
public sealed class PostgresGrainStorageConnectionTests
{
    [Fact]
    public void A_server_that_is_not_there_is_refused_naming_it()
    {
        // Needs no PostgreSQL: port 9 on the loopback (discard) has nothing listening on these machines.
        var error = Assert.Throws<GrainStorageException>(
            () => new PostgresGrainStorage("Host=127.0.0.1;Port=9;Username=postgres;Password=secret;Database=grains;Timeout=5"));

        Assert.Contains("'grains' on PostgreSQL 127.0.0.1:9", error.Message);
        Assert.DoesNotContain("secret", error.ToString());
    }

    [Fact]
    public void A_connection_string_that_is_not_one_is_refused()
    {
        var error = Assert.Throws<GrainStorageException>(() => new PostgresGrainStorage("Host=127.0.0.1;NoSuchKeyword=1"));

        Assert.Contains("connection string", error.Message);
    }
}
