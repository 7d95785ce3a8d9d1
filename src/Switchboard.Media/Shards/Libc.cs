using System.Runtime.InteropServices;

namespace Switchboard.Media.Shards;

/// <summary>
/// The few Linux calls a shard's loop needs that .NET's <see cref="System.Net.Sockets.Socket"/> does not
/// expose without cost: one epoll set per shard, an eventfd to wake it, and <c>recvfrom</c>/<c>sendto</c>
/// that return -1 instead of throwing when a non-blocking socket has nothing (an exception per empty read
/// would cost more than the packet). Measured against .NET's async sockets in design/TEST-PEERS.md.
/// </summary>
internal static class Libc
{
    private const string Lib = "libc";

    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const uint EpollIn = 0x001;
    public const int EfdNonblock = 0x800;
    public const int EfdCloexec = 0x80000;
    public const int MsgDontwait = 0x40;
    public const int Eintr = 4;

    /// <summary>struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16).</summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

#pragma warning disable SYSLIB1054 // Blittable arguments only: nothing for a generated marshaller to do.
    [DllImport(Lib, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int epoll_create1(int flags);

    [DllImport(Lib, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int epoll_ctl(int epfd, int op, int fd, ref byte evt);

    [DllImport(Lib, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int epoll_wait(int epfd, ref byte events, int maxEvents, int timeoutMs);

    [DllImport(Lib, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int eventfd(uint initial, int flags);

    [DllImport(Lib, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint read(int fd, ref byte buffer, nint count);

    [DllImport(Lib, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint write(int fd, ref byte buffer, nint count);

    [DllImport(Lib, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int close(int fd);

    // Non-blocking (MSG_DONTWAIT) and short: no errno needed, -1 is "nothing now" or a lost packet.
    [DllImport(Lib)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint recvfrom(int fd, ref byte buffer, nint length, int flags, ref byte address, ref int addressLength);

    [DllImport(Lib)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint recv(int fd, ref byte buffer, nint length, int flags);

    [DllImport(Lib)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint sendto(int fd, ref byte buffer, nint length, int flags, ref byte address, int addressLength);
#pragma warning restore SYSLIB1054
}
