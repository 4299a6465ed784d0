using System.Globalization;
using Npgsql;

namespace OrleansBroker.Tests.Infrastructure;

/// <summary>
/// A schema of its own in the database of <see cref="PostgresFactAttribute.ConnectionString"/>, for one test, dropped with
/// everything in it afterwards. <see cref="ConnectionString"/> puts only it on the search path, so a broker or provider
/// given it makes its tables there and sees no other test's rows.
/// </summary>
public sealed class PostgresTestSchema : IAsyncDisposable
{
    private readonly NpgsqlDataSource _admin;

    private PostgresTestSchema(string name, NpgsqlDataSource admin, string connectionString)
    {
        Name = name;
        _admin = admin;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>The test server's connection string with Search Path set to this schema alone.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresTestSchema> CreateAsync()
    {
        var server = PostgresFactAttribute.ConnectionString
            ?? throw new InvalidOperationException($"{PostgresFactAttribute.ConnectionStringVariable} is not set");
        var name = "orleansbroker_test_" + Guid.NewGuid().ToString("N");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = name }.ToString();
        var admin = NpgsqlDataSource.Create(connectionString);
        await using (var command = admin.CreateCommand($"CREATE SCHEMA {name}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new PostgresTestSchema(name, admin, connectionString);
    }

    /// <summary>Runs SQL in this schema, directly, not through the broker.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = _admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of a query in this schema, or null when there is no row.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _admin.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public async Task<long> CountAsync(string sql) => Convert.ToInt64(await ScalarAsync(sql), CultureInfo.InvariantCulture);

    /// <summary>Whether a table of this name is in this schema.</summary>
    public async Task<bool> HasTableAsync(string table) =>
        await CountAsync($"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{Name}' AND table_name = '{table}'") == 1;

    public async ValueTask DisposeAsync()
    {
        await ExecuteAsync($"DROP SCHEMA IF EXISTS {Name} CASCADE");
        await _admin.DisposeAsync();
    }
}
