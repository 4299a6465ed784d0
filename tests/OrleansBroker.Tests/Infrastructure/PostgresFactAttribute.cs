namespace OrleansBroker.Tests.Infrastructure;

/// <summary>
/// A test that needs PostgreSQL: it runs when ORLEANSBROKER_TEST_POSTGRES holds a connection string
/// (.ci/run starts a server and sets it) and is reported as skipped, with the reason, when not.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string ConnectionStringVariable = "ORLEANSBROKER_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(ConnectionString))
        {
            Skip = $"PostgreSQL tests need {ConnectionStringVariable} (.ci/run starts PostgreSQL and sets it)";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(ConnectionStringVariable);
}
