using System.Runtime.InteropServices;

namespace Switchboard.MediaLoad.Native;

/// <summary>
/// The few Linux calls the media pump makes per packet: epoll, and send/recv on connected non-blocking UDP sockets.
/// Managed <see cref="System.Net.Sockets.Socket"/> creates, binds and connects the sockets (setup, not the hot path);
/// these calls take its raw descriptor so a packet costs one syscall and no allocation.
/// </summary>
internal static class Libc
{
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const uint EpollIn = 0x001;
    public const int EAgain = 11;
    public const int EIntr = 4;
    public const int MsgDontWait = 0x40;
    private const string Library = "libc";
    private const int ScClkTck = 2;

#pragma warning disable SYSLIB1054 // Blittable arguments only: nothing for a generated marshaller to do.
    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int epoll_create1(int flags);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int epoll_ctl(int epfd, int op, int fd, ref EpollEvent ev);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int epoll_wait(int epfd, ref EpollEvent events, int maxEvents, int timeoutMs);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint send(int fd, ref byte buffer, nint length, int flags);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint recv(int fd, ref byte buffer, nint length, int flags);

    [DllImport(Library)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int close(int fd);

    [DllImport(Library)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long sysconf(int name);
#pragma warning restore SYSLIB1054

    /// <summary>USER_HZ, the unit of utime/stime in /proc/PID/stat; 100 when sysconf cannot tell.</summary>
    public static long ClockTicksPerSecond()
    {
        try
        {
            var ticks = sysconf(ScClkTck);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }
}

/// <summary>struct epoll_event: packed on x86-64 (12 bytes), as glibc declares it there.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEvent
{
    public uint Events;
    public ulong Data;
}
