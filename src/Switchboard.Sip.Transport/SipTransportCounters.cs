namespace Switchboard.Sip.Transport;

/// <summary>Running totals of one hub, safe to read from any thread.</summary>
public sealed class SipTransportCounters
{
    private long _datagramsReceived;
    private long _datagramsDropped;
    private long _keepAlivesReceived;
    private long _connectionsAccepted;
    private long _connectionsOpened;
    private long _connectionsOpen;
    private long _framesRejected;

    public long DatagramsReceived => Volatile.Read(ref _datagramsReceived);

    /// <summary>Oversize or empty datagrams.</summary>
    public long DatagramsDropped => Volatile.Read(ref _datagramsDropped);

    /// <summary>CRLF keep-alives on any transport (RFC 5626 section 4.4).</summary>
    public long KeepAlivesReceived => Volatile.Read(ref _keepAlivesReceived);

    /// <summary>Inbound connections accepted (TCP, TLS, WebSocket hand-offs).</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>Outbound connections opened by sends.</summary>
    public long ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    public long ConnectionsOpen => Volatile.Read(ref _connectionsOpen);

    /// <summary>Stream framing errors and oversize WebSocket messages.</summary>
    public long FramesRejected => Volatile.Read(ref _framesRejected);

    internal void DatagramReceived() => Interlocked.Increment(ref _datagramsReceived);
    internal void DatagramDropped() => Interlocked.Increment(ref _datagramsDropped);
    internal void KeepAlive() => Interlocked.Increment(ref _keepAlivesReceived);
    internal void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);
    internal void ConnectionOpened() => Interlocked.Increment(ref _connectionsOpened);
    internal long Opening() => Interlocked.Increment(ref _connectionsOpen);
    internal void Closed() => Interlocked.Decrement(ref _connectionsOpen);
    internal void FrameRejected() => Interlocked.Increment(ref _framesRejected);
}
