namespace OrleansBroker.Amqp;

/// <summary>
/// The last few short strings decoded through it, by their bytes. A publisher sends the same exchange and routing
/// key message after message; with this it gets the same string back instead of a UTF-8 decode and an allocation
/// per message. A miss costs a few vectorised compares. One per channel: not thread-safe.
/// </summary>
public sealed class ShortStringCache
{
    private const int SlotCount = 4;

    private readonly Slot[] _slots = new Slot[SlotCount];
    private int _next;

    /// <summary>The string these UTF-8 bytes decode to; throws <see cref="AmqpFormatException"/> when they are not UTF-8.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        for (var i = 0; i < SlotCount; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Value is not null && utf8.SequenceEqual(slot.Bytes.AsSpan(0, slot.Length)))
            {
                return slot.Value;
            }
        }

        var value = AmqpReader.DecodeShortString(utf8);
        ref var victim = ref _slots[_next];
        _next = (_next + 1) % SlotCount;
        if (victim.Bytes is null || victim.Bytes.Length < utf8.Length)
        {
            victim.Bytes = new byte[Math.Max(utf8.Length, 32)];
        }

        utf8.CopyTo(victim.Bytes);
        victim.Length = utf8.Length;
        victim.Value = value;
        return value;
    }

    private struct Slot
    {
        public byte[] Bytes;
        public int Length;
        public string? Value;
    }
}
