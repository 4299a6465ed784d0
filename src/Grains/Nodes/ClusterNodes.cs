using Orleans.Runtime;

namespace OrleansBroker.Grains.Nodes;

/// <summary>
/// The broker's nodes as Orleans' membership sees them: a node is a silo, named by its silo name (the broker's node
/// name, stable across restarts, where the silo's address changes with every start). A broker that is not clustered
/// is home to every queue, whatever node name the queue was recorded with (a host may be renamed between runs).
/// </summary>
public sealed class ClusterNodes(IClusterMembershipService membership, ILocalSiloDetails localSilo, bool clustered)
{
    /// <summary>Whether this node is a member of a cluster (false: a broker on its own).</summary>
    public bool Clustered => clustered;

    /// <summary>This node's name.</summary>
    public string LocalName => localSilo.Name;

    public SiloAddress LocalAddress => localSilo.SiloAddress;

    /// <summary>The active silo of the node with this name, if it is up.</summary>
    public SiloAddress? FindActive(string name)
    {
        if (!clustered)
        {
            return localSilo.SiloAddress;
        }

        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && string.Equals(member.Name, name, StringComparison.Ordinal))
            {
                return member.SiloAddress;
            }
        }

        return null;
    }

    /// <summary>The names of the nodes that are up.</summary>
    public IReadOnlyList<string> ActiveNames() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>The silos that are up, in a stable order.</summary>
    public IReadOnlyList<SiloAddress> ActiveSilos() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)
            .OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToList();

    /// <summary>Whether this exact silo (this start of a node) is up.</summary>
    public bool IsActive(SiloAddress silo) =>
        membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active;

    /// <summary>Whether membership has declared this silo dead (a silo it never saw is not dead, just unknown).</summary>
    public bool IsDead(SiloAddress silo) =>
        membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Dead;
}
