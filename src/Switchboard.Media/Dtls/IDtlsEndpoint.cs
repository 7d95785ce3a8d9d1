namespace Switchboard.Media.Dtls;

/// <summary>
/// One DTLS-SRTP association, driven by its owner (the media session's serialized loop) without
/// blocking: the owner feeds received DTLS datagrams in, drains datagrams to send, and reacts to
/// events. The handshake runs elsewhere (the implementation's worker); after it, the owner's own
/// calls drive the association. No method here waits for the network.
/// </summary>
/// <remarks>
/// <para>Which thread raises what:</para>
/// <list type="bullet">
/// <item><b>During the handshake</b>, <see cref="HandshakeCompleted"/>, <see cref="Failed"/> and
/// <see cref="OutgoingAvailable"/> come from a handshake worker (a pool thread, not the owner). Two
/// exceptions, for a handshake no worker has taken yet: <see cref="Failed"/> with
/// <see cref="DtlsFailureKind.Timeout"/> comes from the deadline's timer (the injected
/// <see cref="TimeProvider"/>'s callback thread), and with <see cref="DtlsFailureKind.Canceled"/>
/// from inside the owner's <see cref="Close"/>.</item>
/// <item><b>After it</b> (once the worker has handed the association over, right after
/// <see cref="HandshakeCompleted"/>), <see cref="OutgoingAvailable"/> and <see cref="Closed"/> are
/// raised synchronously inside the owner's <see cref="OnDatagram"/> or <see cref="Close"/>, on the
/// owner's thread, before the call returns. Only datagrams that arrived during the hand-over itself
/// are processed by the worker, and their events come from it; likewise a <see cref="Close"/> made
/// while the handshake was completing.</item>
/// </list>
/// <para>Handlers must be short and must not block: post to the owner's mailbox and return (a
/// handler running on the owner's thread may also act at once, but must not call back into
/// <see cref="OnDatagram"/> expecting it to be processed before it returns). Once
/// <see cref="IDisposable.Dispose"/> has been called no new event starts (one already running on a
/// worker may finish); once <see cref="IAsyncDisposable.DisposeAsync"/> has completed none is
/// running. Exactly one of <see cref="HandshakeCompleted"/> or <see cref="Failed"/> is raised per
/// started endpoint (unless disposed first); <see cref="Closed"/> may follow a completion.</para>
/// <para><see cref="OnDatagram"/>, <see cref="TryDequeueOutgoing"/>, <see cref="Close"/> and
/// dispose are the owner's, called from one thread at a time.</para>
/// </remarks>
public interface IDtlsEndpoint : IDisposable, IAsyncDisposable
{
    /// <summary>Our role.</summary>
    DtlsRole Role { get; }

    /// <summary>Starts the handshake and its deadline. A client sends its ClientHello at once.</summary>
    void Start();

    /// <summary>
    /// Hands a received DTLS datagram (first byte 20..63, RFC 7983) to the endpoint. The bytes are
    /// copied; returns false when the datagram was dropped (queue full, too large, or closed). During
    /// the handshake it is queued for the worker; after it, it is processed before this returns
    /// (an answer queued, <see cref="Closed"/> raised), without waiting.
    /// </summary>
    bool OnDatagram(ReadOnlySpan<byte> datagram);

    /// <summary>
    /// Takes the next datagram to send, if any. <paramref name="destination"/> must hold
    /// <see cref="DtlsLimits.MaxDatagramSize"/> bytes.
    /// </summary>
    bool TryDequeueOutgoing(Span<byte> destination, out int length);

    /// <summary>
    /// Requests an orderly end: after the handshake, close_notify is queued for sending and
    /// <see cref="Closed"/> is raised, both before this returns; during the handshake, it is aborted
    /// and <see cref="Failed"/> is raised with <see cref="DtlsFailureKind.Canceled"/> (from the worker
    /// if one runs it, else before this returns).
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
