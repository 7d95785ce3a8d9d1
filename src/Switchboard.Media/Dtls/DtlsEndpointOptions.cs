using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls;

/// <summary>Settings for one DTLS endpoint (one media leg).</summary>
public sealed class DtlsEndpointOptions
{
    /// <summary>Our certificate, usually <see cref="DtlsCertificate.GetProcessCertificate"/>.</summary>
    public required DtlsCertificate Certificate { get; init; }

    /// <summary>
    /// The peer's <c>a=fingerprint</c> values from its SDP. The peer's certificate must match one of
    /// them (RFC 8122 section 5) or the handshake fails. When empty, any certificate is accepted and
    /// the completion event reports <see cref="DtlsSrtpKeys.RemoteFingerprintVerified"/> = false.
    /// </summary>
    public IReadOnlyList<DtlsFingerprint> ExpectedRemoteFingerprints { get; init; } = [];

    /// <summary>
    /// Server only, instead of <see cref="ExpectedRemoteFingerprints"/>: fingerprints that arrive
    /// later (we offered, the answer is still on its way). The client's certificate is checked
    /// against them once they are set; the handshake fails if its deadline comes first.
    /// </summary>
    public DtlsLateFingerprints? LateRemoteFingerprints { get; init; }

    /// <summary>
    /// SRTP profiles in our order of preference. The server picks the first that the client offers;
    /// the client offers all of them in this order.
    /// </summary>
    public IReadOnlyList<ushort> SrtpProfiles { get; init; } = DtlsSrtpProfile.DefaultPreference;

    /// <summary>The whole handshake must complete within this time after <see cref="IDtlsEndpoint.Start"/>.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The largest datagram we send. Handshake messages larger than this are fragmented
    /// (RFC 6347 section 4.2.3). 1200 keeps clear of path MTU trouble, as browsers do.
    /// </summary>
    public int MaxOutgoingDatagramSize { get; init; } = 1200;

    /// <summary>
    /// The workers that run the blocking handshake; null for <see cref="DtlsHandshakePool.Shared"/>.
    /// A pool is shared by many endpoints; a worker is held only while a handshake runs.
    /// </summary>
    public DtlsHandshakePool? HandshakePool { get; init; }

    /// <summary>How many received datagrams may wait before new ones are dropped (for the worker during the handshake; the owner drains at once after it).</summary>
    public int IncomingQueueCapacity { get; init; } = 64;

    /// <summary>How many datagrams to send may wait for the owner before new ones are dropped.</summary>
    public int OutgoingQueueCapacity { get; init; } = 64;

    /// <summary>The clock for our deadline. BouncyCastle's own retransmission timers read the wall clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Logger for state changes (Debug) and datagrams (Trace).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Test hook: offer DTLS 1.0 only with a CBC suite (a legacy client the server must refuse).</summary>
    internal bool LegacyDtls10ClientForTests { get; init; }

    /// <summary>Test hook: a client that answers the CertificateRequest with no certificate.</summary>
    internal bool OmitClientCertificateForTests { get; init; }

    /// <summary>Test hook: pad the ClientHello with a padding extension of this many bytes (RFC 7685).</summary>
    internal int ClientHelloPaddingForTests { get; init; }

    /// <summary>
    /// Test hook: makes the BouncyCastle crypto (randomness included) for this endpoint's handshake, one per
    /// handshake; null for a fresh <c>Native.NativeEcTlsCrypto</c> (P-256 on the platform) on a system-seeded <c>SecureRandom</c>. The DTLS fuzz
    /// harness gives a fixed seed so that one recorded handshake replays byte for byte (docs/security.md, "Fuzzing").
    /// </summary>
    internal Func<BcTlsCrypto>? CryptoForTests { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Certificate);
        ArgumentNullException.ThrowIfNull(ExpectedRemoteFingerprints);
        ArgumentNullException.ThrowIfNull(SrtpProfiles);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (SrtpProfiles.Count == 0 || SrtpProfiles.Any(p => !DtlsSrtpProfile.IsSupported(p)))
        {
            throw new ArgumentException("SrtpProfiles must list at least one supported profile.", nameof(SrtpProfiles));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutgoingDatagramSize, 256, nameof(MaxOutgoingDatagramSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxOutgoingDatagramSize, DtlsLimits.MaxDatagramSize, nameof(MaxOutgoingDatagramSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(IncomingQueueCapacity, 1, nameof(IncomingQueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(OutgoingQueueCapacity, 1, nameof(OutgoingQueueCapacity));
    }
}

/// <summary>Fixed sizes.</summary>
public static class DtlsLimits
{
    /// <summary>
    /// The largest datagram we accept or hand out. BouncyCastle sizes its receive buffer from the
    /// transport's receive limit; below 1200 it silently drops full-size browser datagrams.
    /// </summary>
    public const int MaxDatagramSize = 1500;
}
