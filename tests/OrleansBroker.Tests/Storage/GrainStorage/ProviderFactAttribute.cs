using Xunit.Sdk;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// A fact of a contract that several test classes inherit, one per provider. xunit 2 decides skipping from the attribute
/// alone, which the inherited method shares with every provider; this one is skipped for the test class it runs in
/// when that class's <see cref="RequiresEnvironmentVariableAttribute"/> is not satisfied (see <see cref="ProviderTestCase"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("OrleansBroker.Tests.Storage.GrainStorage.ProviderFactDiscoverer", "OrleansBroker.Tests")]
public sealed class ProviderFactAttribute : FactAttribute
{
}
