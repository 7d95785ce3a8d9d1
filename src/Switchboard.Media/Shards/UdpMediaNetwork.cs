using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Switchboard.Media.Shards;

/// <summary>The host's UDP stack, polled by one Linux epoll set per shard.</summary>
public sealed class UdpMediaNetwork : IMediaNetwork
{
    public static UdpMediaNetwork Instance { get; } = new();

    public IMediaSocket? TryBind(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(endPoint);
            return new UdpMediaSocket(socket);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            socket.Dispose();
            return null;
        }
    }

    public IMediaPoller CreatePoller(TimeProvider time) => new EpollPoller();

    /// <summary>
    /// A shard-readable view of a UDP socket someone else owns (the SIP transport's): read with <c>recvfrom</c> on its
    /// descriptor, never disposed through the view.
    /// </summary>
    public static IMediaSocket Adopt(Socket socket) => new UdpMediaSocket(socket, ownsSocket: false);
}

/// <summary>A bound UDP socket read and written with <c>recvfrom</c>/<c>sendto</c> on its descriptor (see <see cref="Libc"/>).</summary>
internal sealed class UdpMediaSocket : IMediaSocket
{
    private readonly Socket _socket;
    private readonly bool _ownsSocket;

    public UdpMediaSocket(Socket socket, bool ownsSocket = true)
    {
        _socket = socket;
        _ownsSocket = ownsSocket;
        Descriptor = (int)socket.SafeHandle.DangerousGetHandle();
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public int Descriptor { get; }

    public IPEndPoint LocalEndPoint { get; }

    public AddressFamily AddressFamily => _socket.AddressFamily;

    public int TryReceive(Span<byte> buffer, SocketAddress source)
    {
        var addressLength = source.Buffer.Length;
        var received = Libc.recvfrom(Descriptor, ref MemoryMarshal.GetReference(buffer), buffer.Length, Libc.MsgDontwait,
            ref MemoryMarshal.GetReference(source.Buffer.Span), ref addressLength);
        if (received < 0)
        {
            return -1;
        }

        source.Size = addressLength;
        return (int)received;
    }

    public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination) =>
        Libc.sendto(Descriptor, ref MemoryMarshal.GetReference(datagram), datagram.Length, Libc.MsgDontwait,
            ref MemoryMarshal.GetReference(destination.Buffer.Span), destination.Size) >= 0;

    public int Discard(int max)
    {
        // A zero-length read consumes a whole UDP datagram (the rest of it is discarded): no buffer to fill.
        byte none = 0;
        var dropped = 0;
        while (dropped < max && Libc.recv(Descriptor, ref none, 0, Libc.MsgDontwait) >= 0)
        {
            dropped++;
        }

        return dropped;
    }

    public void Dispose()
    {
        if (_ownsSocket)
        {
            _socket.Dispose();
        }
    }
}

/// <summary>
/// One epoll set (level-triggered) plus an eventfd for wake-ups. Only the owning shard calls
/// <see cref="Wait"/>, <see cref="Add"/> and <see cref="Remove"/>; <see cref="Wake"/> is for any thread.
/// </summary>
internal sealed class EpollPoller : IMediaPoller
{
    private const ulong WakeToken = ulong.MaxValue;
    private const int MaxEvents = 256;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly byte[] _events = new byte[MaxEvents * 16];
    private readonly byte[] _counter = new byte[8];
    private readonly byte[] _wakeValue = BitConverter.GetBytes(1UL);
    private int _disposed;

    public EpollPoller()
    {
        _epoll = Libc.epoll_create1(Libc.EpollCloexec);
        if (_epoll < 0)
        {
            throw new InvalidOperationException("epoll_create1 failed: errno " + Marshal.GetLastPInvokeError());
        }

        _wakeFd = Libc.eventfd(0, Libc.EfdNonblock | Libc.EfdCloexec);
        if (_wakeFd < 0)
        {
            _ = Libc.close(_epoll);
            throw new InvalidOperationException("eventfd failed: errno " + Marshal.GetLastPInvokeError());
        }

        Control(Libc.EpollCtlAdd, _wakeFd, WakeToken);
    }

    public void Add(IMediaSocket socket, ulong token) => Control(Libc.EpollCtlAdd, Descriptor(socket), token);

    public void Remove(IMediaSocket socket) => Control(Libc.EpollCtlDel, Descriptor(socket), 0);

    public int Wait(Span<ulong> ready, TimeSpan timeout)
    {
        // Rounded up: waking a little late is fine, waking early only spins once more.
        var ms = timeout <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
        var max = Math.Min(ready.Length, MaxEvents);
        var count = Libc.epoll_wait(_epoll, ref _events[0], max, ms);
        var written = 0;
        for (var i = 0; i < count; i++)
        {
            var token = BitConverter.ToUInt64(_events, i * Libc.EpollEventSize + Libc.EpollDataOffset);
            if (token == WakeToken)
            {
                Libc.read(_wakeFd, ref _counter[0], 8);
                continue;
            }

            ready[written++] = token;
        }

        return written;
    }

    public void Wake()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            Libc.write(_wakeFd, ref _wakeValue[0], 8);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Nothing to do about a failed close at the end of a descriptor's life.
            _ = Libc.close(_wakeFd);
            _ = Libc.close(_epoll);
        }
    }

    private static int Descriptor(IMediaSocket socket) => socket is UdpMediaSocket udp
        ? udp.Descriptor
        : throw new ArgumentException("An epoll poller polls UDP media sockets only.", nameof(socket));

    private void Control(int operation, int fd, ulong token)
    {
        Span<byte> evt = stackalloc byte[16];
        evt.Clear();
        BitConverter.TryWriteBytes(evt, Libc.EpollIn);
        BitConverter.TryWriteBytes(evt[Libc.EpollDataOffset..], token);
        if (Libc.epoll_ctl(_epoll, operation, fd, ref evt[0]) < 0 && operation == Libc.EpollCtlAdd)
        {
            throw new InvalidOperationException("epoll_ctl failed: errno " + Marshal.GetLastPInvokeError());
        }
    }
}
