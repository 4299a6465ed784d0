using System.Reflection;
using Npgsql;
using NpgsqlTypes;

namespace OrleansBroker.Silo.Storage.AdoNet.Postgres;

/// <summary>
/// Creates what Orleans' ADO.NET providers need in a PostgreSQL database: the scripts of <c>deploy/sql/postgresql</c>,
/// embedded in this assembly, run in file name order in one transaction. They are idempotent, so the broker runs them
/// on every start; the tables go to the first schema of the connection's search path.
/// </summary>
internal static class PostgresSchema
{
    private const string ResourcePrefix = "OrleansBroker.Silo.Sql.PostgreSql.";

    // Brokers starting together against one database take turns: concurrent CREATE TABLE IF NOT EXISTS can still fail
    // on a duplicate key in the catalog. The key is arbitrary but fixed ("OBSQ" in ASCII); advisory locks are per
    // database, so it also serializes brokers using different schemas of one database, which costs them nothing.
    private const long ApplyLockKey = 0x4F425351;

    private static readonly Lazy<IReadOnlyList<Script>> Embedded = new(LoadEmbedded);

    /// <summary>One script: its file name in deploy/sql/postgresql and its text.</summary>
    public sealed record Script(string FileName, string Sql);

    /// <summary>The scripts the broker applies, in the order it applies them.</summary>
    public static IReadOnlyList<Script> Scripts => Embedded.Value;

    /// <summary>
    /// Runs every script against <paramref name="database"/>. Throws <see cref="GrainStorageException"/> naming the
    /// database (never the password) when it cannot be reached, refuses the login, or a script fails (naming the script).
    /// </summary>
    public static async Task ApplyAsync(PostgresDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new GrainStorageException($"The grain storage database {database.Location} cannot be opened: {e.Message}", e);
        }

        var step = "taking the schema lock";
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = ApplyLockKey });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var script in Scripts)
            {
                step = $"deploy/sql/postgresql/{script.FileName}";
                await using var command = new NpgsqlCommand(script.Sql, connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            step = "committing the schema";
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new GrainStorageException($"The grain storage schema of {database.Location} cannot be made ({step}): {e.Message}", e);
        }
    }

    private static IReadOnlyList<Script> LoadEmbedded()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(resource => resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(resource => new Script(resource[ResourcePrefix.Length..], Read(assembly, resource)))
            .ToList();
        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"no embedded resources start with '{ResourcePrefix}': the build did not embed deploy/sql/postgresql");
        }

        return scripts;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource '{resource}' is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
