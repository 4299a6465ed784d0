using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Queues;

/// <summary>What the queue reports to listings: read from its state, nothing counted on the hot path for it.</summary>
public sealed partial class QueueGrain
{
    public ValueTask<QueueInfo> GetInfo()
    {
        EnsureHome();
        var exclusiveTag = _consumers.Count > 0 && _consumers[0].Registration.Exclusive ? _consumers[0].Tag : null;
        return ValueTask.FromResult(new QueueInfo(
            VirtualHost,
            Name,
            Declaration,
            _state.State.ExclusiveOwner,
            _state.State.HomeNode,
            _ready.Count,
            _unacked.Count,
            _residentBytes,
            _consumers.Count,
            exclusiveTag,
            _settings.PolicyName,
            _settings.OperatorPolicyName,
            _settings.EffectivePolicyDefinition));
    }
}
