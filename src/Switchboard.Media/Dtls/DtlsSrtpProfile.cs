namespace Switchboard.Media.Dtls;

/// <summary>
/// The SRTP protection profiles we negotiate in <c>use_srtp</c> (RFC 5764 section 4.1.2, RFC 7714
/// section 14.2) and the size of the keying material each needs (RFC 5764 section 4.2).
/// </summary>
public static class DtlsSrtpProfile
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764): 128-bit key, 112-bit salt.</summary>
    public const ushort AesCm128HmacSha1_80 = 0x0001;

    /// <summary>SRTP_AEAD_AES_128_GCM (RFC 7714): 128-bit key, 96-bit salt.</summary>
    public const ushort AeadAes128Gcm = 0x0007;

    /// <summary>Our default preference: AES-CM first, for the widest interop.</summary>
    public static IReadOnlyList<ushort> DefaultPreference { get; } = [AesCm128HmacSha1_80, AeadAes128Gcm];

    /// <summary>True for the profiles this engine can negotiate.</summary>
    public static bool IsSupported(ushort profile) => profile is AesCm128HmacSha1_80 or AeadAes128Gcm;

    /// <summary>Master key length in bytes.</summary>
    public static int KeyLength(ushort profile) => profile switch
    {
        AesCm128HmacSha1_80 => 16,
        AeadAes128Gcm => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile."),
    };

    /// <summary>Master salt length in bytes.</summary>
    public static int SaltLength(ushort profile) => profile switch
    {
        AesCm128HmacSha1_80 => 14,
        AeadAes128Gcm => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile."),
    };

    /// <summary>
    /// Bytes to export with the <c>EXTRACTOR-dtls_srtp</c> label: 2 * (key + salt), laid out as
    /// client key, server key, client salt, server salt (RFC 5764 section 4.2).
    /// </summary>
    public static int KeyingMaterialLength(ushort profile) => 2 * (KeyLength(profile) + SaltLength(profile));

    /// <summary>The IANA name of a profile, for logs.</summary>
    public static string Name(ushort profile) => profile switch
    {
        AesCm128HmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
        AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        _ => "0x" + profile.ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };
}
