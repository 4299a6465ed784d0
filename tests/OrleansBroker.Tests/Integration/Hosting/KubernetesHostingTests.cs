using OrleansBroker.Tests.Infrastructure;

namespace OrleansBroker.Tests.Integration.Hosting;

/// <summary>
/// ORLEANSBROKER_Broker__KubernetesHosting=true (deploy/kubernetes) hands the silo to Orleans' Kubernetes hosting. No
/// Kubernetes API is reachable here, so these check the start up to where the package needs one: the node name must be
/// the pod's, and the package's own checks (POD_NAMESPACE, the in-cluster API) stop a start outside a pod in one line.
/// </summary>
public sealed class KubernetesHostingTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_node_name_that_is_not_the_pod_name_stops_the_start()
    {
        var run = await RunInPodAsync(podName: "orleansbroker-1", podNamespace: "orleansbroker", "--node", "orleansbroker-0");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            "OrleansBroker cannot start: with Kubernetes hosting the node name must be the pod's name 'orleansbroker-1' (POD_NAME), not 'orleansbroker-0'",
            run.StandardError.TrimEnd());
    }

    [Fact]
    public async Task Without_POD_NAMESPACE_the_package_refuses_to_start_in_one_line()
    {
        var run = await RunInPodAsync(podName: "orleansbroker-0", podNamespace: null, "--node", "orleansbroker-0");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            "OrleansBroker cannot start: KubernetesHostingOptions.Namespace is not set. Set it via the POD_NAMESPACE environment variable",
            run.StandardError.TrimEnd());
    }

    [Fact]
    public async Task A_named_pod_outside_Kubernetes_gets_as_far_as_the_Kubernetes_API()
    {
        var run = await RunInPodAsync(podName: "orleansbroker-0", podNamespace: "orleansbroker", "--node", "orleansbroker-0");

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("OrleansBroker cannot start: Unable to load in-cluster configuration.", line);
    }

    // The environment deploy/kubernetes gives the container, on a lone node (no --cluster: nothing here to cluster on).
    private Task<BrokerCommand> RunInPodAsync(string podName, string? podNamespace, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ORLEANSBROKER_Broker__KubernetesHosting"] = "true",
            ["POD_NAME"] = podName,
            ["POD_NAMESPACE"] = podNamespace,

            // Should these tests ever run inside a pod, its API must not be the one found.
            ["KUBERNETES_SERVICE_HOST"] = null,
            ["KUBERNETES_SERVICE_PORT"] = null,
        };
        return BrokerCommand.RunAsync(environment, [.. arguments, "--amqp-port", "0", "--bind", "127.0.0.1", "--data-dir", _dataDir]);
    }
}
