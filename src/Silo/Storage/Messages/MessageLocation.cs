using System.Runtime.InteropServices;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// Where a live message's append record is, and whether it was delivered: the whole per-message cost of
/// the index (16 bytes, plus the 8-byte id and a dictionary entry's overhead), so that millions of
/// messages fit in memory. Strings and bodies stay on disk.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct MessageLocation(uint Segment, uint Offset, int Length, bool Delivered);
