using System.Globalization;
using Microsoft.Data.Sqlite;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Storage;
using OrleansBroker.Silo.Storage.AdoNet;
using OrleansBroker.Silo.Storage.AdoNet.Sqlite;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>The grain storage contract against SQLite, each test in a data directory of its own; then what only a file can get wrong.</summary>
public sealed class SqliteGrainStorageTests : GrainStorageContract
{
    private readonly string _root = Directory.CreateTempSubdirectory("orleansbroker-grain-storage-").FullName;

    private string DataDirectory => Path.Combine(_root, "data");

    private string DatabasePath => Path.Combine(DataDirectory, SqliteGrainStorage.DefaultFileName);

    protected override IGrainStorage OpenProvider() => SqliteGrainStorage.InDataDirectory(DataDirectory);

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = OpenDirect();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task<long> QueryLongAsync(string sql)
    {
        await using var connection = OpenDirect();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_database_is_grains_db_in_the_data_directory_which_is_created()
    {
        Assert.Equal(DatabasePath, ((SqliteGrainStorage)Storage).DatabasePath);
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task The_database_file_is_in_write_ahead_log_mode()
    {
        await using var connection = OpenDirect();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task What_a_crash_leaves_on_disk_opens_with_every_completed_write()
    {
        // A crash image: the files as they are while the provider is open, the WAL neither checkpointed nor removed
        // by a close. (Copying is not kill -9, but what a completed write must already have put on disk is the same.)
        await Storage.WriteAsync("vhost", "/", SampleStates.VirtualHost());
        await Storage.WriteAsync("exchange", "%2F/logs", SampleStates.Exchange());
        Assert.True(File.Exists(DatabasePath + "-wal"));
        var crashed = Path.Combine(_root, "crashed");
        Directory.CreateDirectory(crashed);
        foreach (var suffix in new[] { "", "-wal" })
        {
            File.Copy(DatabasePath + suffix, Path.Combine(crashed, SqliteGrainStorage.DefaultFileName + suffix));
        }

        using var recovered = SqliteGrainStorage.InDataDirectory(crashed);

        StoredStateAssert.Same(SampleStates.VirtualHost(), (await recovered.ReadAsync<VirtualHostState>("vhost", "/")).State!);
        StoredStateAssert.Same(SampleStates.Exchange(), (await recovered.ReadAsync<ExchangeState>("exchange", "%2F/logs")).State!);
    }

    [Fact]
    public async Task A_grain_key_holding_a_nul_character_is_stored()
    {
        await Storage.WriteAsync("queue", "%2F/a\0b", new QueueState { VirtualHost = "with nul" });

        Assert.Equal("with nul", (await Storage.ReadAsync<QueueState>("queue", "%2F/a\0b")).State!.VirtualHost);
        Assert.False((await Storage.ReadAsync<QueueState>("queue", "%2F/a")).Exists);
    }

    [Fact]
    public void A_file_where_the_data_directory_should_be_is_refused_naming_it()
    {
        var file = Path.Combine(_root, "not-a-directory");
        File.WriteAllText(file, "a file");

        var error = Assert.Throws<GrainStorageException>(() => SqliteGrainStorage.InDataDirectory(file));

        Assert.Contains($"'{file}'", error.Message);
    }

    [Fact]
    public void A_data_directory_under_a_file_is_refused_naming_it()
    {
        var file = Path.Combine(_root, "plain-file");
        File.WriteAllText(file, "a file");
        var directory = Path.Combine(file, "data");

        var error = Assert.Throws<GrainStorageException>(() => SqliteGrainStorage.InDataDirectory(directory));

        Assert.Contains($"'{directory}'", error.Message);
    }

    [Fact]
    public void A_data_directory_that_cannot_be_created_is_refused_naming_it()
    {
        // procfs refuses new directories even to root, who can write anywhere else (CI runs as root, on Linux).
        const string Uncreatable = "/proc/orleansbroker-no-such-directory/data";

        var error = Assert.Throws<GrainStorageException>(() => SqliteGrainStorage.InDataDirectory(Uncreatable));

        Assert.Contains($"'{Uncreatable}'", error.Message);
    }

    [Fact]
    public void A_directory_where_the_database_file_should_be_is_refused_naming_it()
    {
        var path = Path.Combine(_root, "elsewhere", SqliteGrainStorage.DefaultFileName);
        Directory.CreateDirectory(path);

        var error = Assert.Throws<GrainStorageException>(() => new SqliteGrainStorage(path));

        Assert.Contains($"'{path}'", error.Message);
    }

    [Fact]
    public void A_database_file_that_is_not_a_database_is_refused_naming_it()
    {
        var path = Path.Combine(_root, "corrupt", SqliteGrainStorage.DefaultFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7919 % 251)).ToArray());

        var error = Assert.Throws<GrainStorageException>(() => new SqliteGrainStorage(path));

        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("not a database", error.Message);
    }

    [Fact]
    public async Task A_provider_that_was_disposed_refuses_operations()
    {
        var storage = new SqliteGrainStorage(Path.Combine(_root, "disposed", SqliteGrainStorage.DefaultFileName));
        storage.Dispose();
        storage.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.ReadAsync<QueueState>("queue", "%2F/q"));
    }

    private SqliteConnection OpenDirect()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
