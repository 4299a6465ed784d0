using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Hosting.Kubernetes;
using OrleansBroker.Hosting;

namespace OrleansBroker.Silo.Hosting;

/// <summary>
/// How a broker node's Orleans silo is set up: alone (localhost membership, free ports unless given) or as a member of
/// a cluster (membership in PostgreSQL through Orleans' ADO.NET clustering, the ports and address given or defaulted
/// as Orleans does). Either way the silo is named after the node.
/// </summary>
internal static class BrokerSilo
{
    private const int DefaultSiloPort = 11111;
    private const int DefaultGatewayPort = 30000;

    public static SiloEndpoints ChooseEndpoints(BrokerOptions options) => options.IsClustered
        ? new SiloEndpoints(options.SiloPort != 0 ? options.SiloPort : DefaultSiloPort, options.OrleansGatewayPort != 0 ? options.OrleansGatewayPort : DefaultGatewayPort)
        : new SiloEndpoints(PortOrFree(options.SiloPort), PortOrFree(options.OrleansGatewayPort));

    /// <summary>The node's name: --node, else orleansbroker@HOST (with the silo port in a cluster, where it must be unique).</summary>
    public static string NodeName(BrokerOptions options, SiloEndpoints endpoints) =>
        options.NodeName is { Length: > 0 } name ? name
        : options.IsClustered ? $"orleansbroker-{endpoints.SiloPort}@{Dns.GetHostName()}"
        : $"orleansbroker@{Dns.GetHostName()}";

    public static void Configure(ISiloBuilder silo, BrokerOptions options, SiloEndpoints endpoints, string nodeName)
    {
        if (options.KubernetesHosting)
        {
            // Orleans' Kubernetes agent declares dead every silo not named after a live pod, so a node named otherwise
            // would take the others down. Called first so that the node name and cluster id set below are what it sees.
            var podName = Environment.GetEnvironmentVariable(KubernetesHostingOptions.PodNameEnvironmentVariable) ?? Environment.MachineName;
            if (nodeName != podName)
            {
                throw new ArgumentException($"with Kubernetes hosting the node name must be the pod's name '{podName}' (POD_NAME), not '{nodeName}'");
            }

            silo.UseKubernetesHosting();
        }

        if (options.DashboardPort is not null)
        {
            silo.AddDashboard();
        }

        silo.Configure<SiloOptions>(o => o.SiloName = nodeName);
        if (!options.IsClustered)
        {
            // One node: no service to install. Ports are free ones unless given, so two brokers run side by side
            // when told only distinct AMQP ports and data directories.
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, serviceId: BrokerCluster.ClusterId, clusterId: BrokerCluster.ClusterId);
            return;
        }

        // Orleans' default grain directory deactivates every activation whose directory entry lived on a node that died:
        // a queue on a live node would lose its transient messages and consumers when another node dies. The distributed
        // directory hands a dead node's share over from the live nodes' activations instead. Orleans 10.4.2 marks it as
        // for evaluation (ORLEANSEXP003); the cluster tests that kill a node exercise it.
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = BrokerCluster.ClusterId;
            o.ServiceId = BrokerCluster.ClusterId;
        });
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = options.Cluster;
        });
        var advertised = AdvertisedAddress(options);
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertised;
            o.SiloPort = endpoints.SiloPort;
            o.GatewayPort = endpoints.GatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(advertised.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, endpoints.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(advertised.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, endpoints.GatewayPort);
        });

        // A node that stops answering is declared dead in about ten seconds (three missed two-second probes, then the
        // votes), instead of Orleans' default of about half a minute: its queues' 404s, and the deletion of its
        // transient queues, follow that.
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 3;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        });
    }

    private static IPAddress AdvertisedAddress(BrokerOptions options)
    {
        if (options.AdvertiseAddress is { Length: > 0 } text)
        {
            return IPAddress.TryParse(text.Trim('[', ']'), out var address)
                ? address
                : throw new ArgumentException($"--advertise '{text}' is not an IP address");
        }

        // Orleans' own choice: the first address of this host that is not loopback.
        return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? IPAddress.Loopback;
    }

    private static int PortOrFree(int port)
    {
        if (port != 0)
        {
            return port;
        }

        // Orleans advertises its ports in membership, so it needs them known before it binds: ask the OS for one.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
