using Microsoft.Win32.SafeHandles;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// The one segment file being written: positional writes at its end, fsync on demand. Only the writer
/// loop touches it.
/// </summary>
/// <remarks>
/// Crash semantics: the header is written and fsynced, and so is the directory, before the segment is
/// used, so a segment that was ever written to is found again with a readable header. Bytes past the last
/// fsync may be missing or torn after a power loss (a process crash loses nothing the OS was handed);
/// recovery truncates them.
/// </remarks>
internal sealed class ActiveSegment : IDisposable
{
    private readonly SafeFileHandle _file;

    private ActiveSegment(uint number, string path, SafeFileHandle file)
    {
        Number = number;
        Path = path;
        _file = file;
        Length = SegmentFormat.SegmentHeaderLength;
    }

    public uint Number { get; }

    public string Path { get; }

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Local queue ids given out in this segment (see the queue name record in <see cref="SegmentFormat"/>).</summary>
    public Dictionary<string, uint> LocalQueueIds { get; } = new(StringComparer.Ordinal);

    public static ActiveSegment Create(string directory, uint number)
    {
        var path = System.IO.Path.Combine(directory, SegmentFormat.SegmentFileName(number));
        // FileShare.Delete: readers and the reclaimer work with their own handles; Read: recovery reads bodies while it is written.
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        try
        {
            Span<byte> header = stackalloc byte[SegmentFormat.SegmentHeaderLength];
            SegmentFormat.WriteSegmentHeader(header);
            RandomAccess.Write(file, header, 0);
            RandomAccess.FlushToDisk(file);
            DirectorySync.Flush(directory);
            return new ActiveSegment(number, path, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Write(ReadOnlySpan<byte> records)
    {
        RandomAccess.Write(_file, records, Length);
        Length += records.Length;
    }

    public void FlushToDisk() => RandomAccess.FlushToDisk(_file);

    public void Dispose() => _file.Dispose();
}
