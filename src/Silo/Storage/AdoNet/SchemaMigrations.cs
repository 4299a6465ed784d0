using System.Data.Common;
using System.Globalization;
using System.Reflection;

namespace OrleansBroker.Silo.Storage.AdoNet;

/// <summary>
/// Brings a database's grain storage schema up to date from the numbered .sql scripts beside a provider (embedded in
/// this assembly). The applied version is the highest row of grain_storage_schema, or 0 when that table does not exist
/// yet; each newer script runs, and must record its own number there, inside the caller's transaction, so a migration
/// that fails leaves the schema as it was.
/// </summary>
internal static class SchemaMigrations
{
    /// <summary>The scripts embedded under <paramref name="folderNamespace"/> ("OrleansBroker.Silo.Storage.AdoNet.Sqlite.Migrations"), in version order.</summary>
    public static IReadOnlyList<SchemaMigrationScript> Load(string folderNamespace)
    {
        var assembly = typeof(SchemaMigrations).Assembly;
        var prefix = folderNamespace + ".";
        var scripts = new List<SchemaMigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[prefix.Length..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"migration script '{name}' does not start with its version number (\"001-...\")");
            }

            scripts.Add(new SchemaMigrationScript(version, name, ReadResource(assembly, resource)));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < scripts.Count; i++)
        {
            if (scripts[i].Version != i + 1)
            {
                throw new InvalidOperationException($"migration scripts under {folderNamespace} are not numbered 1, 2, 3, ...: found '{scripts[i].Name}' at position {i + 1}");
            }
        }

        return scripts;
    }

    /// <summary>
    /// Runs the scripts newer than the database's version in <paramref name="transaction"/> (the caller commits).
    /// <paramref name="schemaTableExistsSql"/> is a query answering whether grain_storage_schema exists (non-zero when it does).
    /// Throws <see cref="GrainStorageException"/> naming <paramref name="location"/> when the database is newer than the scripts.
    /// </summary>
    public static void Apply(DbConnection connection, DbTransaction transaction, IReadOnlyList<SchemaMigrationScript> scripts, string schemaTableExistsSql, string location)
    {
        var applied = AppliedVersion(connection, transaction, schemaTableExistsSql);
        if (applied > scripts.Count)
        {
            throw new GrainStorageException(
                $"The grain storage schema of {location} is at version {applied}; this broker knows versions up to {scripts.Count} (was it written by a newer broker?).");
        }

        foreach (var script in scripts.Skip(applied))
        {
            Execute(connection, transaction, script.Sql);
            var recorded = AppliedVersion(connection, transaction, schemaTableExistsSql);
            if (recorded != script.Version)
            {
                throw new InvalidOperationException($"migration script '{script.Name}' left the schema version at {recorded}, not {script.Version}: it must record its version in grain_storage_schema");
            }
        }
    }

    private static int AppliedVersion(DbConnection connection, DbTransaction transaction, string schemaTableExistsSql)
    {
        if (Convert.ToInt64(Scalar(connection, transaction, schemaTableExistsSql), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        return Convert.ToInt32(Scalar(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM grain_storage_schema"), CultureInfo.InvariantCulture);
    }

    private static object? Scalar(DbConnection connection, DbTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(DbConnection connection, DbTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource '{resource}' is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
