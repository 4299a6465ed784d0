using System.Globalization;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Cluster;

/// <summary>
/// Three broker processes on 127.0.0.1 joined through PostgreSQL membership (a schema of their own), each with its own
/// AMQP, silo and Orleans gateway ports and data directory: one broker (a test that adds a gateway-only node starts
/// two). Nodes can be killed with SIGKILL and restarted. Disposing kills them all and drops the schema.
/// </summary>
public sealed class ThreeNodeCluster : IAsyncDisposable
{
    private readonly PostgresTestSchema _schema;
    private readonly string _root;

    private ThreeNodeCluster(PostgresTestSchema schema, string root, BrokerProcess[] nodes)
    {
        _schema = schema;
        _root = root;
        Nodes = nodes;
    }

    public BrokerProcess[] Nodes { get; }

    /// <summary>The membership database's connection string, for a gateway-only node to join with.</summary>
    public string ConnectionString => _schema.ConnectionString;

    /// <summary>Node i's name, as queues and RabbitMQ's texts name it.</summary>
    public static string NodeName(int i) => $"node{i}";

    public static async Task<ThreeNodeCluster> StartAsync(int nodeCount = 3)
    {
        var schema = await PostgresTestSchema.CreateAsync();
        var root = Path.Combine(Path.GetTempPath(), "orleansbroker-cluster-" + Guid.NewGuid().ToString("N"));
        var nodes = new BrokerProcess[nodeCount];
        try
        {
            // The first node starts the cluster; the others join it.
            nodes[0] = await StartNodeAsync(schema, root, 0);
            var joining = Enumerable.Range(1, nodeCount - 1).Select(i => StartNodeAsync(schema, root, i)).ToArray();
            for (var i = 1; i < nodeCount; i++)
            {
                nodes[i] = await joining[i - 1];
            }

            return new ThreeNodeCluster(schema, root, nodes);
        }
        catch
        {
            foreach (var node in nodes)
            {
                if (node is not null)
                {
                    await node.DisposeAsync();
                }
            }

            await schema.DisposeAsync();
            throw;
        }
    }

    public async Task KillAsync(int i) => await Nodes[i].KillAsync();

    public async Task RestartAsync(int i)
    {
        var restarted = await Nodes[i].RestartAsync();
        await Nodes[i].DisposeAsync();
        Nodes[i] = restarted;
    }

    public Task<IConnection> ConnectAsync(int i) => new ConnectionFactory
    {
        HostName = "127.0.0.1",
        Port = Nodes[i].Port,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
    }.CreateConnectionAsync($"cluster-test-node{i}");

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await _schema.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static Task<BrokerProcess> StartNodeAsync(PostgresTestSchema schema, string root, int i) => BrokerProcess.StartAsync(
        Path.Combine(root, NodeName(i)),
        extraArguments:
        [
            "--cluster", schema.ConnectionString,
            "--node", NodeName(i),
            "--advertise", "127.0.0.1",
            "--silo-port", BrokerProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            "--orleans-gateway-port", BrokerProcess.FreePort().ToString(CultureInfo.InvariantCulture),
        ]);
}
