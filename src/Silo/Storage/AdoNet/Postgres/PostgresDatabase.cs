using Npgsql;

namespace OrleansBroker.Silo.Storage.AdoNet.Postgres;

/// <summary>
/// The PostgreSQL database a broker keeps its grain state in: a checked connection string, and how to name the database
/// in messages without its password.
/// </summary>
internal sealed class PostgresDatabase
{
    private PostgresDatabase(string connectionString, string location)
    {
        ConnectionString = connectionString;
        Location = location;
    }

    /// <summary>Npgsql's format: "Host=...;Port=...;Username=...;Password=...;Database=...", optionally "Search Path=schema".</summary>
    public string ConnectionString { get; }

    /// <summary>Which server, database and search path, for messages: "'grains' on PostgreSQL 127.0.0.1:5432, search path 'broker'".</summary>
    public string Location { get; }

    /// <summary>Throws <see cref="GrainStorageException"/> when <paramref name="connectionString"/> is not one Npgsql accepts.</summary>
    public static PostgresDatabase Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new GrainStorageException($"The PostgreSQL grain storage connection string is not valid: {e.Message}", e);
        }

        var searchPath = string.IsNullOrEmpty(settings.SearchPath) ? string.Empty : $", search path '{settings.SearchPath}'";
        return new PostgresDatabase(connectionString, $"'{settings.Database ?? settings.Username}' on PostgreSQL {settings.Host}:{settings.Port}{searchPath}");
    }
}
