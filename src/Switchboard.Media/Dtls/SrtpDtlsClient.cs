using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls;

/// <summary>
/// Our DTLS 1.2 client: offers <c>use_srtp</c> with our profiles, presents our certificate when
/// asked, and checks the server's certificate against the SDP fingerprint.
/// </summary>
internal sealed class SrtpDtlsClient : DefaultTlsClient
{
    private readonly BcTlsCrypto _crypto;
    private readonly DtlsEndpointOptions _options;
    private readonly HandshakeOutcome _outcome;
    private ushort _profile;
    private DtlsFingerprint? _remote;

    public SrtpDtlsClient(BcTlsCrypto crypto, DtlsEndpointOptions options, HandshakeOutcome outcome)
        : base(crypto)
    {
        _crypto = crypto;
        _options = options;
        _outcome = outcome;
    }

    protected override ProtocolVersion[] GetSupportedVersions() =>
        _options.LegacyDtls10ClientForTests ? ProtocolVersion.DTLSv10.Only() : ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
        TlsUtilities.GetSupportedCipherSuites(Crypto, _options.LegacyDtls10ClientForTests
            ? [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]
            : DtlsPeerSupport.CipherSuites);

    public override int GetHandshakeTimeoutMillis() => DtlsPeerSupport.BackstopTimeoutMillis(_options.HandshakeTimeout);

    // Lets the post-handshake transport end a receive without failing the association (see DtlsTransportDrainedException).
    public override bool IgnoreCorruptDtlsRecords => true;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        IDictionary<int, byte[]> extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        int[] profiles = _options.SrtpProfiles.Select(p => (int)p).ToArray();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData(profiles, TlsUtilities.EmptyBytes));
        if (_options.ClientHelloPaddingForTests > 0)
        {
            TlsExtensionsUtilities.AddPaddingExtension(extensions, _options.ClientHelloPaddingForTests);
        }

        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);

        // RFC 5764 section 4.1.1: exactly one profile, one we offered, and no MKI since we sent none.
        UseSrtpData? chosen = serverExtensions is null ? null : TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions);
        if (chosen is null || chosen.ProtectionProfiles.Length != 1 || chosen.Mki.Length != 0
            || !_options.SrtpProfiles.Contains((ushort)chosen.ProtectionProfiles[0]))
        {
            _outcome.Failure = new DtlsFailure(DtlsFailureKind.NoCommonSrtpProfile, AlertDescription.illegal_parameter,
                "The ServerHello did not select one of our SRTP profiles.");
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "Bad use_srtp in ServerHello.");
        }

        _profile = (ushort)chosen.ProtectionProfiles[0];
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        if (_profile == 0)
        {
            _outcome.Failure = new DtlsFailure(DtlsFailureKind.NoCommonSrtpProfile, AlertDescription.handshake_failure,
                "The server did not negotiate use_srtp.");
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "No use_srtp.");
        }

        _outcome.Keys = DtlsPeerSupport.ExportKeys(m_context, _profile, _remote, _options.ExpectedRemoteFingerprints.Count > 0);
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

    private sealed class Authentication(SrtpDtlsClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            client._remote = DtlsPeerSupport.VerifyPeer(serverCertificate.Certificate,
                client._options.ExpectedRemoteFingerprints, client._outcome);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            client._options.OmitClientCertificateForTests
                ? null!
                : DtlsPeerSupport.Signer(client.m_context, client._crypto, client._options.Certificate,
                    certificateRequest.SupportedSignatureAlgorithms);
    }
}
