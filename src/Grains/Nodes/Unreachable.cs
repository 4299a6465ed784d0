using Orleans.Runtime;

namespace OrleansBroker.Grains.Nodes;

/// <summary>
/// Whether a grain call failed because the node it went to is gone (killed, or unreachable) rather than because the
/// grain refused it: between a node's death and membership declaring it dead, calls to its grains fail this way.
/// </summary>
public static class Unreachable
{
    public static bool Is(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException or ClientNotAvailableException
        || (e is TimeoutException && e.Source?.StartsWith("Orleans", StringComparison.Ordinal) == true);
}
