using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls;

/// <summary>
/// Our DTLS 1.2 server for WebRTC: ECDHE_ECDSA suites, <c>use_srtp</c> (RFC 5764 section 4.1),
/// a required client certificate checked against the SDP fingerprint (RFC 5763 section 5).
/// </summary>
internal sealed class SrtpDtlsServer : DefaultTlsServer
{
    private readonly BcTlsCrypto _crypto;
    private readonly DtlsEndpointOptions _options;
    private readonly HandshakeOutcome _outcome;
    private ushort _profile;
    private readonly CancellationToken _handshakeCancellation;
    private DtlsFingerprint? _remote;
    private bool _verified;

    public SrtpDtlsServer(BcTlsCrypto crypto, DtlsEndpointOptions options, HandshakeOutcome outcome, CancellationToken handshakeCancellation)
        : base(crypto)
    {
        _crypto = crypto;
        _options = options;
        _outcome = outcome;
        _handshakeCancellation = handshakeCancellation;
    }

    // DTLS 1.2 only: the default is TLS, which fails every DTLS ClientHello with protocol_version.
    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
        TlsUtilities.GetSupportedCipherSuites(Crypto, DtlsPeerSupport.CipherSuites);

    public override int GetHandshakeTimeoutMillis() => DtlsPeerSupport.BackstopTimeoutMillis(_options.HandshakeTimeout);

    // Lets the post-handshake transport end a receive without failing the association (see DtlsTransportDrainedException).
    public override bool IgnoreCorruptDtlsRecords => true;

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() =>
        DtlsPeerSupport.Signer(m_context, _crypto, _options.Certificate, m_context.SecurityParameters.ClientSigAlgs);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);

        // RFC 5764 section 4.1.1: pick one of the client's profiles; we take the first of our own
        // preference list that it offers. Without a common profile there is no SRTP: fail.
        UseSrtpData? offered = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (offered is null)
        {
            _outcome.Failure = new DtlsFailure(DtlsFailureKind.NoCommonSrtpProfile, AlertDescription.handshake_failure,
                "The ClientHello has no use_srtp extension.");
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "No use_srtp.");
        }

        foreach (ushort mine in _options.SrtpProfiles)
        {
            if (Array.IndexOf(offered.ProtectionProfiles, mine) >= 0)
            {
                _profile = mine;
                return;
            }
        }

        _outcome.Failure = new DtlsFailure(DtlsFailureKind.NoCommonSrtpProfile, AlertDescription.handshake_failure,
            "No SRTP profile in common; client offered " + string.Join(",", offered.ProtectionProfiles.Select(p => DtlsSrtpProfile.Name((ushort)p))));
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "No common SRTP profile.");
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        IDictionary<int, byte[]> extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());

        // RFC 5764 section 4.1.1: one profile, and an empty MKI (we do not use MKIs).
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([_profile], TlsUtilities.EmptyBytes));
        return extensions;
    }

    // RFC 5763 section 5: the server MUST request the client's certificate.
    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        IReadOnlyList<DtlsFingerprint> expected = _options.LateRemoteFingerprints is { } late
            ? late.Wait(_handshakeCancellation) ?? throw NoFingerprintInTime()
            : _options.ExpectedRemoteFingerprints;
        _remote = DtlsPeerSupport.VerifyPeer(clientCertificate, expected, _outcome);
        _verified = expected.Count > 0;
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        _outcome.Keys = DtlsPeerSupport.ExportKeys(m_context, _profile, _remote, _verified);
        _outcome.MinimumProtectedFragment = DtlsRecordCheck.MinimumProtectedFragment(m_context.SecurityParameters.CipherSuite);
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
    {
        base.NotifyAlertRaised(alertLevel, alertDescription, message, cause);
        _outcome.OnAlertRaised(alertDescription);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        _outcome.OnAlertReceived(alertLevel, alertDescription);
    }

    /// <summary>We offered and the answer with the client's fingerprint did not come within the handshake deadline (RFC 5763 section 5: never accept it unchecked).</summary>
    private TlsFatalAlert NoFingerprintInTime()
    {
        _outcome.Failure = new DtlsFailure(DtlsFailureKind.FingerprintMismatch, AlertDescription.handshake_failure,
            "No SDP answer with the peer's fingerprint before the handshake ended.");
        return new TlsFatalAlert(AlertDescription.handshake_failure, "Peer fingerprint unknown.");
    }
}
