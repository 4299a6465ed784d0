using System.Globalization;
using Npgsql;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Silo.Storage;
using OrleansBroker.Silo.Storage.AdoNet;
using OrleansBroker.Silo.Storage.AdoNet.Postgres;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// The grain storage contract against PostgreSQL, each test in a schema of its own (dropped afterwards), reached through
/// the connection string's search path, as a deployment that shares a database between applications would do.
/// </summary>
[RequiresEnvironmentVariable(ConnectionStringVariable, "PostgreSQL tests need ORLEANSBROKER_TEST_POSTGRES (.ci/run sets it)")]
public sealed class PostgresGrainStorageTests : GrainStorageContract
{
    /// <summary>An Npgsql connection string: "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=orleansbroker_test".</summary>
    public const string ConnectionStringVariable = "ORLEANSBROKER_TEST_POSTGRES";

    private readonly string _schema = "orleansbroker_test_" + Guid.NewGuid().ToString("N");

    private NpgsqlDataSource _admin = null!;

    private string ConnectionString => new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(ConnectionStringVariable))
    {
        SearchPath = _schema,
    }.ToString();

    public override async Task InitializeAsync()
    {
        _admin = NpgsqlDataSource.Create(ConnectionString);
        await using (var command = _admin.CreateCommand($"CREATE SCHEMA {_schema}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await using (var command = _admin.CreateCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE"))
        {
            await command.ExecuteNonQueryAsync();
        }

        await _admin.DisposeAsync();
    }

    protected override IGrainStorage OpenProvider() => new PostgresGrainStorage(ConnectionString);

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var command = _admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task<long> QueryLongAsync(string sql)
    {
        await using var command = _admin.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    [ProviderFact]
    public async Task The_tables_are_made_in_the_schema_of_the_search_path()
    {
        Assert.Equal(2, await QueryLongAsync(
            $"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{_schema}' AND table_name IN ('grain_state', 'grain_storage_schema')"));
        Assert.Contains($"search path '{_schema}'", ((PostgresGrainStorage)Storage).Location);
    }

    [ProviderFact]
    public async Task A_grain_key_holding_a_nul_character_fails_naming_the_grain()
    {
        // PostgreSQL text cannot hold U+0000; the failure must say which grain, not just "invalid byte sequence".
        var error = await Assert.ThrowsAsync<GrainStorageException>(
            () => Storage.WriteAsync("queue", "%2F/a\0b", new QueueState()));

        Assert.Contains("state 'queue' of grain '%2F/a\0b'", error.Message);
    }

    [ProviderFact]
    public void A_wrong_password_is_refused_naming_server_and_database_but_not_the_password()
    {
        var settings = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = "not-the-password-" + _schema };

        var error = Assert.Throws<GrainStorageException>(() => new PostgresGrainStorage(settings.ToString()));

        Assert.Contains($"'{settings.Database}' on PostgreSQL {settings.Host}:{settings.Port}", error.Message);
        Assert.DoesNotContain(settings.Password, error.ToString());
    }
}
