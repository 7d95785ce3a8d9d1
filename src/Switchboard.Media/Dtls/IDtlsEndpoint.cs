namespace Switchboard.Media.Dtls;

/// <summary>
/// One DTLS-SRTP association, driven by its owner (the media session's serialized loop) without
/// blocking: the owner feeds received DTLS datagrams in, drains datagrams to send, and reacts to
/// events. The handshake itself runs elsewhere (see the implementation); no method here waits for
/// the network.
/// </summary>
/// <remarks>
/// Events are raised on the endpoint's worker thread. Handlers must be short and must not block:
/// post to the owner's mailbox and return. Once <see cref="IDisposable.Dispose"/> has been called no
/// new event starts (one already running may finish); once <see cref="IAsyncDisposable.DisposeAsync"/>
/// has completed none is running. Exactly one of <see cref="HandshakeCompleted"/> or
/// <see cref="Failed"/> is raised per endpoint (unless disposed first); <see cref="Closed"/> may
/// follow a completion.
/// </remarks>
public interface IDtlsEndpoint : IDisposable, IAsyncDisposable
{
    /// <summary>Our role.</summary>
    DtlsRole Role { get; }

    /// <summary>Starts the handshake and its deadline. A client sends its ClientHello at once.</summary>
    void Start();

    /// <summary>
    /// Hands a received DTLS datagram (first byte 20..63, RFC 7983) to the endpoint. The bytes are
    /// copied; returns false when the datagram was dropped (queue full, too large, or closed).
    /// </summary>
    bool OnDatagram(ReadOnlySpan<byte> datagram);

    /// <summary>
    /// Takes the next datagram to send, if any. <paramref name="destination"/> must hold
    /// <see cref="DtlsLimits.MaxDatagramSize"/> bytes.
    /// </summary>
    bool TryDequeueOutgoing(Span<byte> destination, out int length);

    /// <summary>
    /// Requests an orderly end: after the handshake, close_notify is queued for sending and
    /// <see cref="Closed"/> is raised; during the handshake, it is aborted and <see cref="Failed"/> is
    /// raised with <see cref="DtlsFailureKind.Canceled"/>.
    /// </summary>
    void Close();

    /// <summary>There are datagrams to drain with <see cref="TryDequeueOutgoing"/>.</summary>
    event Action? OutgoingAvailable;

    /// <summary>The handshake completed, the peer's certificate was checked, and SRTP keys are ready.</summary>
    event Action<DtlsSrtpKeys>? HandshakeCompleted;

    /// <summary>The handshake failed or timed out. No keys.</summary>
    event Action<DtlsFailure>? Failed;

    /// <summary>An established association ended (close_notify, a fatal alert, or a local close).</summary>
    event Action<DtlsClosed>? Closed;
}
