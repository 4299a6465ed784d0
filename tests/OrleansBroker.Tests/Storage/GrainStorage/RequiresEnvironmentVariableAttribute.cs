namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// On a test class: its <see cref="ProviderFactAttribute"/> tests are skipped, with <see cref="SkipReason"/>, when the
/// environment variable <see cref="Name"/> is unset or empty (the server they need is not there).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresEnvironmentVariableAttribute(string name, string skipReason) : Attribute
{
    public string Name { get; } = name;

    public string SkipReason { get; } = skipReason;
}
