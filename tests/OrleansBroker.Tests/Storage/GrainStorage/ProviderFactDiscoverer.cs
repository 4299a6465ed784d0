using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>Makes a <see cref="ProviderTestCase"/> of each <see cref="ProviderFactAttribute"/> method, per test class.</summary>
public sealed class ProviderFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new ProviderTestCase(
            diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}
