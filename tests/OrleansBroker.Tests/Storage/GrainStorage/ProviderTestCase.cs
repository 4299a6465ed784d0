using System.ComponentModel;
using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// A test case skipped when its test class's <see cref="RequiresEnvironmentVariableAttribute"/> names an unset
/// variable. The variable is read when the case is initialized (in the process that runs it), so nothing about the
/// skip needs serializing between discovery and execution.
/// </summary>
public sealed class ProviderTestCase : XunitTestCase
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("For xunit's deserializer only.")]
#pragma warning disable CS0618 // The base constructor is obsolete for the same reason: only deserialization calls it.
    public ProviderTestCase()
#pragma warning restore CS0618
    {
    }

    public ProviderTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute)
    {
        var requirement = TestMethod.TestClass.Class.ToRuntimeType()?.GetCustomAttribute<RequiresEnvironmentVariableAttribute>();
        if (requirement is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(requirement.Name)))
        {
            return requirement.SkipReason;
        }

        return base.GetSkipReason(factAttribute);
    }
}
