namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A consumer attached to a queue: its channel (where its deliveries go), how many it may be sent in all (its
/// channel's last credit grant), and how many it was sent.
/// </summary>
internal sealed class ConsumerSlot(ConsumerRegistration registration, ChannelDeliveries channel)
{
    public ConsumerRegistration Registration { get; } = registration;

    public ChannelDeliveries Channel { get; } = channel;

    public string ChannelId => Registration.ChannelId;

    public string Tag => Registration.ConsumerTag;

    /// <summary>Its x-priority (consumer priority), 0 when none; validated at consume.</summary>
    public long Priority { get; } = QueueFeatures.ConsumerArgumentValidation.Priority(registration.Arguments);

    /// <summary>Deliveries it may be sent in all; more credit moves it up.</summary>
    public long Limit { get; set; } = registration.Credit;

    /// <summary>Sequence of the last credit grant applied.</summary>
    public long GrantSequence { get; set; }

    public long Delivered { get; set; }

    public bool HasCredit => Delivered < Limit;

    public void Grant(in CreditGrant grant)
    {
        if (grant.Sequence > GrantSequence)
        {
            GrantSequence = grant.Sequence;
            Limit = grant.Received + grant.Credit;
        }
    }
}
