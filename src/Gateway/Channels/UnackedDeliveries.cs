namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// A channel's unsettled deliveries in delivery-tag order (tags are issued in increasing order, so
/// appending keeps it sorted). A single ack in the middle leaves a tombstone that is dropped when
/// it reaches the head (it keeps its tag so the order still holds); multiple acks take from the head. Not thread-safe: the channel's lock guards it.
/// </summary>
internal sealed class UnackedDeliveries
{
    private Slot[] _slots = [];
    private int _head;
    private int _count;

    /// <summary>Unsettled deliveries (tombstones not counted).</summary>
    public int Live { get; private set; }

    public void Add(in UnackedDelivery delivery)
    {
        if (_count == _slots.Length)
        {
            Grow();
        }

        _slots[(_head + _count) & (_slots.Length - 1)] = new Slot(delivery, false);
        _count++;
        Live++;
    }

    /// <summary>Take the delivery with this tag; false when it is unknown or already settled.</summary>
    public bool TryTake(ulong tag, out UnackedDelivery delivery)
    {
        var index = Find(tag);
        if (index < 0)
        {
            delivery = default;
            return false;
        }

        ref var slot = ref _slots[(_head + index) & (_slots.Length - 1)];
        delivery = slot.Delivery;
        slot = slot with { Settled = true };
        Live--;
        TrimHead();
        return true;
    }

    /// <summary>Take every delivery with a tag up to and including <paramref name="tag"/>; false when none is unsettled.</summary>
    public bool TakeUpTo(ulong tag, List<UnackedDelivery> taken)
    {
        var before = taken.Count;
        while (_count > 0)
        {
            ref var slot = ref _slots[_head];
            if (!slot.Settled && slot.Delivery.Tag > tag)
            {
                break;
            }

            if (!slot.Settled)
            {
                taken.Add(slot.Delivery);
                Live--;
            }

            RemoveHead();
        }

        TrimHead();
        return taken.Count > before;
    }

    public void TakeAll(List<UnackedDelivery> taken) => TakeUpTo(ulong.MaxValue, taken);

    /// <summary>Put deliveries back (a rolled-back transaction's acks), keeping tag order.</summary>
    public void Restore(List<UnackedDelivery> deliveries)
    {
        var all = new List<UnackedDelivery>(Live + deliveries.Count);
        TakeAll(all);
        all.AddRange(deliveries);
        all.Sort(static (a, b) => a.Tag.CompareTo(b.Tag));
        foreach (var delivery in all)
        {
            Add(delivery);
        }
    }

    /// <summary>Binary search by tag; settled slots keep their tag, so the order holds.</summary>
    private int Find(ulong tag)
    {
        int low = 0, high = _count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            ref var slot = ref _slots[(_head + middle) & (_slots.Length - 1)];
            var slotTag = slot.Delivery.Tag;
            if (slotTag == tag)
            {
                return slot.Settled ? -1 : middle;
            }

            if (slotTag < tag)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    private void TrimHead()
    {
        while (_count > 0 && _slots[_head].Settled)
        {
            RemoveHead();
        }
    }

    private void RemoveHead()
    {
        _slots[_head] = default;
        _head = (_head + 1) & (_slots.Length - 1);
        _count--;
    }

    private void Grow()
    {
        var larger = new Slot[Math.Max(16, _slots.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = _slots[(_head + i) & (_slots.Length - 1)];
        }

        _slots = larger;
        _head = 0;
    }

    private readonly record struct Slot(UnackedDelivery Delivery, bool Settled);
}
