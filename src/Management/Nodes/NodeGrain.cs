using System.Diagnostics;
using OrleansBroker.Gateway.Connections;

namespace OrleansBroker.Management.Nodes;

/// <summary>Reports this node's process and gateway; see <see cref="INodeGrain"/>.</summary>
[GrainType("node"), NodePlacement]
public sealed class NodeGrain(ConnectionRegistry connections, NodeEnvironment environment) : Grain, INodeGrain
{
    public ValueTask<NodeReport> GetReport()
    {
        var reports = new List<ConnectionReport>(connections.Count);
        foreach (var connection in connections.Connections)
        {
            if (connection.IsOpen)
            {
                reports.Add(Describe(connection));
            }
        }

        using var process = Process.GetCurrentProcess();
        return ValueTask.FromResult(new NodeReport(
            this.GetPrimaryKeyString(),
            Environment.ProcessId,
            (long)(DateTimeOffset.UtcNow - environment.StartedAt).TotalMilliseconds,
            Environment.ProcessorCount,
            process.WorkingSet64,
            environment.MemoryLimit,
            environment.DiskFree(),
            environment.DiskFreeLimit,
            environment.AmqpPort,
            reports.ToArray()));
    }

    public ValueTask<bool> CloseConnection(string name, string reason)
    {
        foreach (var connection in connections.Connections)
        {
            if (string.Equals(ConnectionName(connection), name, StringComparison.Ordinal))
            {
                connection.CloseByOperator(reason);
                return ValueTask.FromResult(true);
            }
        }

        return ValueTask.FromResult(false);
    }

    /// <summary>RabbitMQ's connection name: "peer -> listener".</summary>
    private static string ConnectionName(AmqpConnection connection) => $"{connection.RemoteAddress} -> {connection.LocalAddress}";

    private static ConnectionReport Describe(AmqpConnection connection)
    {
        var channels = connection.Channels;
        var channelReports = new ChannelReport[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            var status = channels[i].Status();
            channelReports[i] = new ChannelReport(status.Number, status.Confirm, status.Transactional, status.PrefetchCount, status.GlobalPrefetchCount,
                status.Unacknowledged, status.Unconfirmed,
                status.Consumers.Select(c => new ConsumerReport(c.ConsumerTag, c.Queue, c.AckRequired, c.PrefetchCount)).ToArray());
        }

        return new ConnectionReport(connection.Id, ConnectionName(connection), connection.RemoteAddress, connection.LocalAddress, connection.UserName,
            connection.VirtualHost, connection.IsOpen, connection.ConnectedAt.ToUnixTimeMilliseconds(), connection.FrameMax, connection.ChannelMax,
            connection.HeartbeatSeconds, connection.ClientProperties, channelReports);
    }
}
