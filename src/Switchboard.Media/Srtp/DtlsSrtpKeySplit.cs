using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Media.Srtp;

/// <summary>
/// Splits the keying material exported by a DTLS-SRTP handshake into the local (send) and remote
/// (receive) master keys, per <see href="https://www.rfc-editor.org/rfc/rfc5764#section-4.2">RFC 5764 section 4.2</see>:
/// client_write_SRTP_master_key | server_write_SRTP_master_key | client_write_SRTP_master_salt | server_write_SRTP_master_salt.
/// </summary>
public static class DtlsSrtpKeySplit
{
    /// <summary>The TLS exporter label for DTLS-SRTP keying material (RFC 5764 section 4.2).</summary>
    public const string ExporterLabel = "EXTRACTOR-dtls_srtp";

    /// <summary>How many bytes the DTLS engine must export for <paramref name="profile"/>: 2 * (key + salt).</summary>
    public static int KeyingMaterialLength(SrtpProfile profile) =>
        2 * (profile.MasterKeyLength() + profile.MasterSaltLength());

    /// <summary>
    /// Splits <paramref name="keyingMaterial"/> for the negotiated <paramref name="profileId"/>.
    /// The server sends with the server_write key and salt; the client with the client_write ones.
    /// </summary>
    /// <returns>False when the profile is not supported or the material has the wrong length.</returns>
    public static bool TrySplit(
        ushort profileId,
        ReadOnlySpan<byte> keyingMaterial,
        bool isServer,
        [NotNullWhen(true)] out SrtpMasterKey? local,
        [NotNullWhen(true)] out SrtpMasterKey? remote)
    {
        local = null;
        remote = null;
        if (!SrtpProfiles.TryFromId(profileId, out var profile) || keyingMaterial.Length != KeyingMaterialLength(profile))
        {
            return false;
        }

        int keyLength = profile.MasterKeyLength();
        int saltLength = profile.MasterSaltLength();
        var clientKey = keyingMaterial.Slice(0, keyLength);
        var serverKey = keyingMaterial.Slice(keyLength, keyLength);
        var clientSalt = keyingMaterial.Slice(2 * keyLength, saltLength);
        var serverSalt = keyingMaterial.Slice((2 * keyLength) + saltLength, saltLength);

        var client = new SrtpMasterKey(profile, clientKey, clientSalt);
        var server = new SrtpMasterKey(profile, serverKey, serverSalt);
        (local, remote) = isServer ? (server, client) : (client, server);
        return true;
    }
}
