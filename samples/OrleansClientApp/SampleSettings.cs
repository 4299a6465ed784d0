using System.Globalization;
using System.Text.Json;

namespace OrleansClientApp;

/// <summary>
/// The sample's command line: where the broker's Orleans gateway is (--gateway-port N, or the orleans-endpoints.json
/// a lone broker writes to its --data-dir) and how many messages go each way (--count N).
/// </summary>
internal sealed record SampleSettings(int GatewayPort, int Count)
{
    public const string Usage = "usage: OrleansClientApp [--data-dir PATH (./data) | --gateway-port N] [--count N (3)]";

    public static SampleSettings Parse(string[] args)
    {
        string dataDir = "./data";
        int? gatewayPort = null;
        var count = 3;
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException(Usage);
            switch (args[i])
            {
                case "--data-dir":
                    dataDir = value;
                    break;
                case "--gateway-port":
                    gatewayPort = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--count":
                    count = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException(Usage);
            }
        }

        return new SampleSettings(gatewayPort ?? ReadGatewayPort(dataDir), count);
    }

    /// <summary>The gateway port a broker started on free ports wrote to its data directory.</summary>
    private static int ReadGatewayPort(string dataDir)
    {
        var path = Path.Combine(dataDir, "orleans-endpoints.json");
        if (!File.Exists(path))
        {
            throw new ArgumentException($"no {path}: start the broker with --data-dir {dataDir}, or give --gateway-port. {Usage}");
        }

        using var endpoints = JsonDocument.Parse(File.ReadAllText(path));
        return endpoints.RootElement.GetProperty("gatewayPort").GetInt32();
    }
}
