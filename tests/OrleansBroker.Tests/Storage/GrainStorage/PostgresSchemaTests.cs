using Npgsql;
using OrleansBroker.Silo.Storage.AdoNet;
using OrleansBroker.Silo.Storage.AdoNet.Postgres;
using OrleansBroker.Tests.Infrastructure;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// The scripts of deploy/sql/postgresql as the broker applies them on start (<see cref="PostgresSchema"/>), each test in a
/// schema of its own; and how a database the broker cannot use is refused.
/// </summary>
public sealed class PostgresSchemaTests
{
    // The grain storage provider's queries (02-persistence.sql) and the clustering provider's (03-clustering.sql).
    private static readonly string[] AllQueries = ["CleanupDefunctSiloEntriesKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey", "DeleteStorageKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "ReadFromStorageKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "WriteToStorageKey"];

    [Fact]
    public void The_broker_applies_exactly_the_scripts_of_deploy_sql_postgresql_in_file_name_order()
    {
        var folder = Path.Combine(RepositoryRoot(), "deploy", "sql", "postgresql");
        var files = Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(files.Select(Path.GetFileName), PostgresSchema.Scripts.Select(script => script.FileName));
        Assert.Equal(files.Select(File.ReadAllText), PostgresSchema.Scripts.Select(script => script.Sql));
        Assert.StartsWith("01-main", PostgresSchema.Scripts[0].FileName, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task The_tables_and_queries_are_made_in_the_first_schema_of_the_search_path()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var searchPath = new NpgsqlConnectionStringBuilder(schema.ConnectionString) { SearchPath = $"{schema.Name}, public" };

        await PostgresSchema.ApplyAsync(PostgresDatabase.Parse(searchPath.ToString()), CancellationToken.None);

        Assert.True(await schema.HasTableAsync("orleansquery"));
        Assert.True(await schema.HasTableAsync("orleans_grain_state"));
        Assert.Equal(AllQueries, await QueryKeysAsync(schema));
    }

    [PostgresFact]
    public async Task Applying_the_scripts_again_keeps_rows_and_queries_as_they_are()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var database = PostgresDatabase.Parse(schema.ConnectionString);
        await PostgresSchema.ApplyAsync(database, CancellationToken.None);
        await schema.ExecuteAsync("""
            INSERT INTO orleans_grain_state (service_id, state_name, grain_key, grain_id_n0, grain_id_n1, payload, version, modified_at)
            VALUES ('orleansbroker', 'queue', '%2F/kept', 0, 0, '{"format":1,"state":{}}', 7, now());
            UPDATE OrleansQuery SET QueryText = QueryText || ' -- tuned by an operator' WHERE QueryKey = 'ReadFromStorageKey';
            """);

        await PostgresSchema.ApplyAsync(database, CancellationToken.None);
        await PostgresSchema.ApplyAsync(database, CancellationToken.None);

        Assert.Equal(7, await schema.CountAsync("SELECT version FROM orleans_grain_state WHERE grain_key = '%2F/kept'"));
        Assert.Equal(1, await schema.CountAsync("SELECT COUNT(*) FROM orleans_grain_state"));
        Assert.Equal(AllQueries, await QueryKeysAsync(schema));
        Assert.EndsWith(" -- tuned by an operator", (string?)await schema.ScalarAsync("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'ReadFromStorageKey'"));
    }

    [PostgresFact]
    public async Task Brokers_starting_together_on_a_new_database_all_apply_the_scripts()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var database = PostgresDatabase.Parse(schema.ConnectionString);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresSchema.ApplyAsync(database, CancellationToken.None))));

        Assert.Equal(AllQueries, await QueryKeysAsync(schema));
    }

    [PostgresFact]
    public async Task A_database_not_encoded_in_utf8_is_refused_saying_so()
    {
        // A database of its own: the encoding belongs to the database, not the schema.
        var name = "orleansbroker_test_latin1_" + Guid.NewGuid().ToString("N");
        var server = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString);
        await using var admin = NpgsqlDataSource.Create(server.ToString());
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"))
        {
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var database = PostgresDatabase.Parse(new NpgsqlConnectionStringBuilder(server.ToString()) { Database = name, Pooling = false }.ToString());

            var error = await Assert.ThrowsAsync<GrainStorageException>(() => PostgresSchema.ApplyAsync(database, CancellationToken.None));

            Assert.Contains("02-persistence.sql", error.Message);
            Assert.Contains($"database \"{name}\" is encoded LATIN1", error.Message);
        }
        finally
        {
            await using var drop = admin.CreateCommand($"DROP DATABASE {name}");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [PostgresFact]
    public async Task A_wrong_password_is_refused_naming_server_and_database_but_not_the_password()
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString) { Password = "not-the-password-" + Guid.NewGuid().ToString("N") };

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => PostgresGrainStorage.PrepareAsync(settings.ToString(), CancellationToken.None));

        Assert.Contains($"'{settings.Database}' on PostgreSQL {settings.Host}:{settings.Port}", error.Message);
        Assert.Contains("password authentication failed", error.Message);
        Assert.DoesNotContain(settings.Password, error.ToString());
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_refused_naming_it()
    {
        // Needs no PostgreSQL: port 9 on the loopback (discard) has nothing listening on these machines.
        var error = await Assert.ThrowsAsync<GrainStorageException>(
            () => PostgresGrainStorage.PrepareAsync("Host=127.0.0.1;Port=9;Username=postgres;Password=secret;Database=grains;Timeout=5", CancellationToken.None));

        Assert.Contains("'grains' on PostgreSQL 127.0.0.1:9", error.Message);
        Assert.DoesNotContain("secret", error.ToString());
    }

    [Fact]
    public async Task A_connection_string_that_is_not_one_is_refused()
    {
        var error = await Assert.ThrowsAsync<GrainStorageException>(
            () => PostgresGrainStorage.PrepareAsync("Host=127.0.0.1;NoSuchKeyword=1", CancellationToken.None));

        Assert.Contains("connection string", error.Message);
    }

    private static async Task<string[]> QueryKeysAsync(PostgresTestSchema schema)
    {
        var keys = new List<string>();
        await using var connection = new NpgsqlConnection(schema.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys.ToArray();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansBroker.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no OrleansBroker.sln above {AppContext.BaseDirectory}");
    }
}
