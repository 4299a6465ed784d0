using System.Text.Json;

namespace OrleansBroker.Silo.Hosting;

/// <summary>
/// The ports of this node's Orleans silo: <see cref="SiloPort"/> for other silos, <see cref="GatewayPort"/> for Orleans
/// client applications. Written to <c>orleans-endpoints.json</c> in the data directory, so a client app of a broker
/// started on free ports can find it.
/// </summary>
public sealed record SiloEndpoints(int SiloPort, int GatewayPort)
{
    public const string FileName = "orleans-endpoints.json";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public async Task WriteAsync(string dataDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDir);
        await File.WriteAllTextAsync(Path.Combine(dataDir, FileName), JsonSerializer.Serialize(this, Json), cancellationToken);
    }
}
