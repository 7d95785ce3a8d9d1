namespace Switchboard.Media.Dtls;

/// <summary>
/// The result of a completed DTLS-SRTP handshake.
/// </summary>
/// <param name="SrtpProfileId">The negotiated <c>use_srtp</c> profile (see <see cref="DtlsSrtpProfile"/>).</param>
/// <param name="KeyingMaterial">
/// Raw <c>EXTRACTOR-dtls_srtp</c> output, <see cref="DtlsSrtpProfile.KeyingMaterialLength"/> bytes:
/// client write key, server write key, client salt, server salt (RFC 5764 section 4.2). The SRTP
/// layer splits it; the owner should clear it once the SRTP contexts are made.
/// </param>
/// <param name="IsServer">True when we were the DTLS server (our SRTP keys are the server's half).</param>
/// <param name="RemoteFingerprintVerified">
/// True when the peer's certificate matched an expected fingerprint during the handshake. False only
/// when no fingerprint was given to check against; the owner must then check
/// <paramref name="RemoteFingerprint"/> itself before sending media.
/// </param>
/// <param name="RemoteFingerprint">The <c>sha-256</c> fingerprint of the certificate the peer presented.</param>
public sealed record DtlsSrtpKeys(
    ushort SrtpProfileId,
    byte[] KeyingMaterial,
    bool IsServer,
    bool RemoteFingerprintVerified,
    DtlsFingerprint RemoteFingerprint);
