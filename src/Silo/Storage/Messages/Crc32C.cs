using System.Buffers.Binary;
using System.Numerics;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF): the
/// checksum of iSCSI, ext4 metadata and RabbitMQ's and NATS' stores. Chosen over the zip CRC-32 because
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> computes it with the CPU's CRC instruction (SSE4.2, ARMv8)
/// where there is one; System.IO.Hashing, which has both, does not restore from the registry this project reaches.
/// </summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    /// <summary>The running value before any byte: begin with it, feed it to <see cref="Append"/>, end with <see cref="Finish"/>.</summary>
    public const uint Start = 0xFFFF_FFFF;

    /// <summary>Continues a running checksum with more bytes, so that a checksum can cover pieces that are not contiguous.</summary>
    public static uint Append(uint running, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            running = BitOperations.Crc32C(running, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var value in data)
        {
            running = BitOperations.Crc32C(running, value);
        }

        return running;
    }

    /// <summary>The checksum from a running value.</summary>
    public static uint Finish(uint running) => ~running;
}
