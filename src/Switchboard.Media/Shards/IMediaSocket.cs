using System.Net;
using System.Net.Sockets;

namespace Switchboard.Media.Shards;

/// <summary>
/// One bound datagram port, read only by the shard that polls it. A UDP socket in the server, a port of
/// <see cref="InMemoryMediaNetwork"/> in tests. Neither call blocks or throws for network trouble.
/// </summary>
public interface IMediaSocket : IDisposable
{
    IPEndPoint LocalEndPoint { get; }

    AddressFamily AddressFamily { get; }

    /// <summary>Takes one waiting datagram into <paramref name="buffer"/> and its source into <paramref name="source"/>; -1 when none waits.</summary>
    int TryReceive(Span<byte> buffer, SocketAddress source);

    /// <summary>Sends at once or drops (UDP has no promises); false when it was dropped here.</summary>
    bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination);

    /// <summary>
    /// Drops up to <paramref name="max"/> waiting datagrams unread and returns how many it dropped: what reached a
    /// parked port must not reach the leg that gets it next (<see cref="WebRtc.MediaPortPool"/>).
    /// </summary>
    int Discard(int max);
}

/// <summary>Where media ports come from: the host's UDP stack or a simulated network.</summary>
public interface IMediaNetwork
{
    /// <summary>A port bound to <paramref name="endPoint"/>, or null when that port is taken.</summary>
    IMediaSocket? TryBind(IPEndPoint endPoint);

    /// <summary>A readiness poller for this network's sockets, owned by one shard.</summary>
    IMediaPoller CreatePoller(TimeProvider time);
}

/// <summary>Tells one shard which of its sockets have a datagram waiting (level-triggered), or wakes it.</summary>
public interface IMediaPoller : IDisposable
{
    void Add(IMediaSocket socket, ulong token);

    void Remove(IMediaSocket socket);

    /// <summary>
    /// Waits until a socket is readable, <see cref="Wake"/> is called, or <paramref name="timeout"/> passes
    /// (on the poller's clock); writes the ready sockets' tokens and returns how many.
    /// </summary>
    int Wait(Span<ulong> ready, TimeSpan timeout);

    /// <summary>Ends a <see cref="Wait"/> early; any thread.</summary>
    void Wake();
}
