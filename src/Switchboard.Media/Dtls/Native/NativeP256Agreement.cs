using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls.Native;

/// <summary>
/// One ECDHE exchange on P-256 by the platform: our ephemeral key, the peer's point, the shared secret. Points travel
/// uncompressed (RFC 8422 section 5.4.1: 0x04, X, Y); the premaster secret is the x-coordinate of the shared point
/// (section 5.10), which is what <see cref="ECDiffieHellman.DeriveRawSecretAgreement"/> returns.
/// </summary>
internal sealed class NativeP256Agreement(BcTlsCrypto crypto) : TlsAgreement
{
    private const int CoordinateLength = 32;
    private const int PointLength = 1 + (2 * CoordinateLength);
    private const byte Uncompressed = 0x04;

    private ECDiffieHellman? _ours;
    private ECDiffieHellmanPublicKey? _peer;

    public byte[] GenerateEphemeral()
    {
        _ours = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var point = _ours.ExportParameters(includePrivateParameters: false).Q;
        var encoded = new byte[PointLength];
        encoded[0] = Uncompressed;
        point.X.AsSpan().CopyTo(encoded.AsSpan(1, CoordinateLength));
        point.Y.AsSpan().CopyTo(encoded.AsSpan(1 + CoordinateLength, CoordinateLength));
        return encoded;
    }

    public void ReceivePeerValue(byte[] peerValue)
    {
        ArgumentNullException.ThrowIfNull(peerValue);
        if (peerValue.Length != PointLength || peerValue[0] != Uncompressed)
        {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "The peer's P-256 point is not an uncompressed point.");
        }

        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = peerValue[1..(1 + CoordinateLength)], Y = peerValue[(1 + CoordinateLength)..] },
        };
        try
        {
            // The platform checks that the point lies on the curve (RFC 8422 section 5.11: a peer's point must be validated).
            using var key = ECDiffieHellman.Create(parameters);
            _peer = key.PublicKey;
        }
        catch (CryptographicException e)
        {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "The peer's P-256 point is not on the curve.", e);
        }
    }

    public TlsSecret CalculateSecret()
    {
        if (_ours is null || _peer is null)
        {
            throw new TlsFatalAlert(AlertDescription.internal_error, "ECDHE before both keys are known.");
        }

        try
        {
            return crypto.CreateSecret(_ours.DeriveRawSecretAgreement(_peer));
        }
        finally
        {
            _ours.Dispose();
            _peer.Dispose();
            _ours = null;
            _peer = null;
        }
    }
}
