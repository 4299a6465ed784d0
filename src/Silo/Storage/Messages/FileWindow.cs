using Microsoft.Win32.SafeHandles;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// A read buffer over a file for the sequential scan at startup: hands out spans of the file, refilling
/// from the requested offset when a span is not in the buffer, and growing only for a span larger than it.
/// So scanning costs one read per buffer length, not two per record.
/// </summary>
internal sealed class FileWindow(int capacity)
{
    private byte[] _buffer = new byte[capacity];
    private SafeFileHandle? _file;
    private long _fileLength;
    private long _start;
    private int _count;

    public int Capacity => _buffer.Length;

    public void Attach(SafeFileHandle file, long fileLength)
    {
        _file = file;
        _fileLength = fileLength;
        _start = 0;
        _count = 0;
    }

    /// <summary>The <paramref name="count"/> bytes at <paramref name="offset"/>; the caller makes sure they are within the file.</summary>
    public ReadOnlySpan<byte> Read(long offset, int count)
    {
        if (offset < _start || offset + count > _start + _count)
        {
            Fill(offset, count);
        }

        return _buffer.AsSpan((int)(offset - _start), count);
    }

    private void Fill(long offset, int count)
    {
        if (_file is null)
        {
            throw new InvalidOperationException("No file attached.");
        }

        if (offset < 0 || count < 0 || offset + count > _fileLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"{count} bytes at {offset} are not within the file ({_fileLength} bytes).");
        }

        if (count > _buffer.Length)
        {
            _buffer = new byte[count];
        }

        var wanted = (int)Math.Min(_buffer.Length, _fileLength - offset);
        var filled = 0;
        while (filled < wanted)
        {
            var read = RandomAccess.Read(_file, _buffer.AsSpan(filled, wanted - filled), offset + filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        if (filled < count)
        {
            throw new EndOfStreamException($"The file ended at {offset + filled} while reading {count} bytes at {offset}.");
        }

        _start = offset;
        _count = filled;
    }
}
