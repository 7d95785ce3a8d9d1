using Microsoft.Extensions.Logging;

namespace Switchboard.Media.Dtls;

/// <summary>Source-generated log messages for the DTLS engine (event ids 3100-3199).</summary>
internal static partial class DtlsLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "DTLS {Role} handshake started, deadline {Deadline}")]
    public static partial void Started(ILogger logger, DtlsRole role, TimeSpan deadline);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "DTLS {Role} handshake completed in {ElapsedMs:F1} ms: {Profile}, peer {Fingerprint}, verified {Verified}")]
    public static partial void Completed(ILogger logger, DtlsRole role, double elapsedMs, string profile, DtlsFingerprint fingerprint, bool verified);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "DTLS {Role} handshake failed after {ElapsedMs:F1} ms: {Kind} (alert {Alert}) {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, DtlsRole role, double elapsedMs, DtlsFailureKind kind, short? alert, string reason, Exception? exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "DTLS {Role} association closed: {Kind} (alert {Alert}) {Reason}")]
    public static partial void AssociationClosed(ILogger logger, DtlsRole role, DtlsCloseKind kind, short? alert, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Trace, Message = "DTLS {Role} ignored {Length} bytes of application data")]
    public static partial void IgnoredApplicationData(ILogger logger, DtlsRole role, int length);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "DTLS {Role} event handler threw")]
    public static partial void HandlerThrew(ILogger logger, DtlsRole role, Exception exception);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Trace, Message = "DTLS {Role} dropped an incoming datagram of {Length} bytes (queue full, too large, or closed)")]
    public static partial void IncomingDropped(ILogger logger, DtlsRole role, int length);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Debug, Message = "DTLS handshake pool started worker {Name} ({Count} of {Max})")]
    public static partial void PoolWorkerStarted(ILogger logger, string name, int count, int max);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Error, Message = "DTLS handshake pool: a job threw")]
    public static partial void PoolJobThrew(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Debug, Message = "DTLS {Role} dropped a datagram of {Length} bytes holding a protected record too short to be one (RFC 6347 section 4.1.2.7)")]
    public static partial void InvalidRecordDropped(ILogger logger, DtlsRole role, int length);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Debug, Message = "DTLS {Role} record layer handed to the owner after {QueuedMs:F1} ms queued, {RunMs:F1} ms on a pool worker")]
    public static partial void HandedToOwner(ILogger logger, DtlsRole role, double queuedMs, double runMs);
}
