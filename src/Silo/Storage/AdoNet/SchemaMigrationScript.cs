namespace OrleansBroker.Silo.Storage.AdoNet;

/// <summary>One schema migration: the SQL that takes a database's grain storage schema to <see cref="Version"/>.</summary>
/// <param name="Version">The number the script's file name starts with: 1 for "001-grain-state.sql".</param>
/// <param name="Name">The file name, for messages.</param>
/// <param name="Sql">Statements run in one transaction; the last one records <see cref="Version"/> in grain_storage_schema.</param>
internal sealed record SchemaMigrationScript(int Version, string Name, string Sql);
