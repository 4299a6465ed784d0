namespace OrleansBroker.Management.Http;

/// <summary>The user a request authenticated as, with the tags that decide what it may do.</summary>
public sealed record ManagementUser(string Name, IReadOnlyList<string> Tags)
{
    /// <summary>The broker itself, for what is served without a login (the Prometheus endpoint, as RabbitMQ's).</summary>
    public static readonly ManagementUser Internal = new("", ["administrator"]);

    public bool IsAdministrator => Tags.Contains("administrator");

    /// <summary>May see every virtual host's objects (administrator, monitoring).</summary>
    public bool IsMonitor => IsAdministrator || Tags.Contains("monitoring");

    /// <summary>May manage policies (administrator, policymaker).</summary>
    public bool IsPolicymaker => IsAdministrator || Tags.Contains("policymaker");

    /// <summary>May use the management API at all (any of the management tags).</summary>
    public bool MayUseManagement => IsMonitor || IsPolicymaker || Tags.Contains("management");
}
