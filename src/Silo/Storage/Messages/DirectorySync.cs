using System.Runtime.InteropServices;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// fsync of a directory, so that a file created or deleted in it stays created or deleted after a power
/// loss: on Linux a new file's data can be on disk while its name is not. .NET has no API for it (it
/// refuses to open a directory as a file), so this calls the C library. Where there is none to call
/// (Windows, whose file systems journal names with the data), it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    private static bool s_unavailable = OperatingSystem.IsWindows();

    /// <summary>False where flushing a directory does nothing (no C library, or Windows).</summary>
    public static bool IsSupported => !s_unavailable;

    public static void Flush(string directory)
    {
        if (s_unavailable)
        {
            return;
        }

        int descriptor;
        try
        {
            descriptor = NativeMethods.open(directory, ReadOnly);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
            return;
        }

        if (descriptor < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to fsync it: errno {Marshal.GetLastPInvokeError()}.");
        }

        try
        {
            if (NativeMethods.fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed: errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        finally
        {
            _ = NativeMethods.close(descriptor);
        }
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport generates unsafe code, which this project does not allow.
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int descriptor);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int descriptor);
#pragma warning restore SYSLIB1054
    }
}
