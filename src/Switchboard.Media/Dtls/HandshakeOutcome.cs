using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls;

/// <summary>
/// What the BouncyCastle peer callbacks learned during one handshake, read by the worker after
/// Accept/Connect returns or throws. Written and read on the worker thread during the handshake;
/// after the hand-over (made under the endpoint's lock) the alert fields are written and read by
/// the owner's thread, which drives the record layer.
/// </summary>
internal sealed class HandshakeOutcome
{
    public DtlsSrtpKeys? Keys { get; set; }

    /// <summary>The negotiated suite's shortest protected fragment (<see cref="DtlsRecordCheck"/>), set with <see cref="Keys"/>.</summary>
    public int MinimumProtectedFragment { get; set; }

    /// <summary>A failure our own checks decided (fingerprint, use_srtp), more precise than the alert.</summary>
    public DtlsFailure? Failure { get; set; }

    public short? AlertReceived { get; set; }

    public short? AlertReceivedLevel { get; set; }

    public short? AlertRaised { get; set; }

    /// <summary>Keeps the first alert we raised: later ones are consequences of it.</summary>
    public void OnAlertRaised(short description) => AlertRaised ??= description;

    public void OnAlertReceived(short level, short description)
    {
        AlertReceived = description;
        AlertReceivedLevel = level;
    }
}

/// <summary>The parts shared by our TLS server and client: credentials, checks, key export.</summary>
internal static class DtlsPeerSupport
{
    /// <summary>
    /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xC02B), ..._AES_256_GCM_SHA384 (0xC02C),
    /// ..._CHACHA20_POLY1305_SHA256 (0xCCA9): what browsers offer with their ECDSA certificates.
    /// BouncyCastle's default server list has no ECDSA suite.
    /// </summary>
    public static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>RFC 5705 exporter label for DTLS-SRTP (RFC 5764 section 4.2).</summary>
    public const string ExporterLabel = "EXTRACTOR-dtls_srtp";

    /// <summary>Backstop for BouncyCastle's own (wall-clock) handshake timeout: ours fires first.</summary>
    public static int BackstopTimeoutMillis(TimeSpan deadline) =>
        (int)Math.Min(int.MaxValue, (deadline + TimeSpan.FromSeconds(2)).TotalMilliseconds);

    public static TlsCredentialedSigner Signer(TlsContext context, BcTlsCrypto crypto, DtlsCertificate certificate,
        IList<SignatureAndHashAlgorithm>? peerSigAlgs)
    {
        SignatureAndHashAlgorithm? algorithm = TlsUtilities.IsTlsV12(context)
            ? ChooseEcdsa(peerSigAlgs)
            : null;
        // TLS 1.2 (what DTLS 1.2 is) signs with ECDSA on the platform (Native.NativeEcTlsCrypto says why); the DTLS 1.0
        // handshakes the tests make for the legacy path keep BouncyCastle's signer, whose algorithm is implied.
        return algorithm is not null && crypto is Native.NativeEcTlsCrypto
            ? new DefaultTlsCredentialedSigner(new TlsCryptoParameters(context), new Native.NativeEcdsaSigner(certificate), certificate.TlsCertificate, algorithm)
            : new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, certificate.PrivateKey, certificate.TlsCertificate, algorithm);
    }

    private static SignatureAndHashAlgorithm ChooseEcdsa(IList<SignatureAndHashAlgorithm>? peerSigAlgs)
    {
        // Our key is P-256: ecdsa_secp256r1_sha256 when the peer accepts it (all browsers do).
        var preferred = SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
        if (peerSigAlgs is null || peerSigAlgs.Count == 0 || peerSigAlgs.Contains(preferred))
        {
            return preferred;
        }

        foreach (SignatureAndHashAlgorithm candidate in peerSigAlgs)
        {
            if (candidate.Signature == SignatureAlgorithm.ecdsa)
            {
                return candidate;
            }
        }

        throw new TlsFatalAlert(AlertDescription.handshake_failure, "Peer accepts no ECDSA signature algorithm.");
    }

    /// <summary>
    /// Checks the peer's end-entity certificate against the SDP fingerprints (RFC 8122 section 5,
    /// RFC 5763 section 5). Throws a fatal bad_certificate alert on mismatch.
    /// </summary>
    public static DtlsFingerprint VerifyPeer(Certificate? chain, IReadOnlyList<DtlsFingerprint> expected, HandshakeOutcome outcome)
    {
        if (chain is null || chain.IsEmpty)
        {
            // RFC 5246 section 7.4.6: a server may answer a missing client certificate with handshake_failure.
            outcome.Failure = new DtlsFailure(DtlsFailureKind.FingerprintMismatch, AlertDescription.handshake_failure,
                "The peer sent no certificate.");
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "No peer certificate.");
        }

        byte[] der = chain.GetCertificateAt(0).GetEncoded();
        DtlsFingerprint actual = DtlsFingerprint.Compute(der);
        if (expected.Count > 0 && !DtlsFingerprint.MatchesAny(expected, der))
        {
            outcome.Failure = new DtlsFailure(DtlsFailureKind.FingerprintMismatch, AlertDescription.bad_certificate,
                $"The peer's certificate ({actual}) matches no SDP fingerprint.");
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "Certificate fingerprint mismatch.");
        }

        return actual;
    }

    /// <summary>Exports the SRTP keying material. Only valid inside NotifyHandshakeComplete.</summary>
    public static DtlsSrtpKeys ExportKeys(TlsContext context, ushort profile, DtlsFingerprint? remote, bool verified)
    {
        if (remote is null)
        {
            // Never reached: BouncyCastle requires the certificate we request. Belt and braces.
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "Peer certificate was not checked.");
        }

        byte[] material = context.ExportKeyingMaterial(ExporterLabel, null, DtlsSrtpProfile.KeyingMaterialLength(profile));
        return new DtlsSrtpKeys(profile, material, context.IsServer, verified, remote);
    }
}
