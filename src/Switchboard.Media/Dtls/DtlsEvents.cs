namespace Switchboard.Media.Dtls;

/// <summary>Which side of the DTLS handshake we play (from SDP <c>a=setup</c>, RFC 5763 section 5).</summary>
public enum DtlsRole
{
    /// <summary>We wait for the ClientHello (<c>a=setup:passive</c>): the PBX answering a browser.</summary>
    Server,

    /// <summary>We send the ClientHello (<c>a=setup:active</c>).</summary>
    Client,
}

/// <summary>Why a handshake did not complete.</summary>
public enum DtlsFailureKind
{
    /// <summary>The handshake deadline passed.</summary>
    Timeout,

    /// <summary>The peer's certificate did not match the SDP fingerprint, or it sent none.</summary>
    FingerprintMismatch,

    /// <summary>No SRTP protection profile in common, or the peer did not negotiate <c>use_srtp</c>.</summary>
    NoCommonSrtpProfile,

    /// <summary>The peer offered no protocol version we accept (we speak DTLS 1.2 only).</summary>
    ProtocolVersion,

    /// <summary>The peer sent a fatal alert.</summary>
    AlertReceived,

    /// <summary>We aborted with a fatal alert (malformed or unacceptable handshake).</summary>
    AlertSent,

    /// <summary><see cref="IDtlsEndpoint.Close"/> was called before the handshake completed.</summary>
    Canceled,

    /// <summary>Anything else (a bug or an unexpected library exception).</summary>
    Internal,
}

/// <summary>A failed handshake.</summary>
/// <param name="Kind">The category, for metrics and call-end reasons.</param>
/// <param name="Alert">The TLS alert description sent or received, when there was one (RFC 5246 section 7.2).</param>
/// <param name="Message">A human-readable explanation for logs.</param>
public sealed record DtlsFailure(DtlsFailureKind Kind, short? Alert, string Message);

/// <summary>Why an established association ended.</summary>
public enum DtlsCloseKind
{
    /// <summary>The peer sent close_notify.</summary>
    CloseNotify,

    /// <summary>The peer sent a fatal alert.</summary>
    FatalAlert,

    /// <summary>We closed it (<see cref="IDtlsEndpoint.Close"/>); close_notify was queued for sending.</summary>
    Local,

    /// <summary>A record could not be processed (our fatal alert was queued for sending).</summary>
    Error,
}

/// <summary>An established association ended.</summary>
/// <param name="Kind">The category.</param>
/// <param name="Alert">The alert description, when an alert ended it.</param>
/// <param name="Message">A human-readable explanation for logs.</param>
public sealed record DtlsClosed(DtlsCloseKind Kind, short? Alert, string Message);
