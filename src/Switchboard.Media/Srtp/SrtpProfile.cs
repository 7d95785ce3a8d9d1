namespace Switchboard.Media.Srtp;

/// <summary>
/// SRTP protection profiles by their DTLS-SRTP identifiers
/// (<see href="https://www.rfc-editor.org/rfc/rfc5764#section-4.1.2">RFC 5764 section 4.1.2</see>,
/// <see href="https://www.rfc-editor.org/rfc/rfc7714#section-14.2">RFC 7714 section 14.2</see>).
/// </summary>
public enum SrtpProfile : ushort
{
    /// <summary>Not a profile; the default value.</summary>
    None = 0x0000,

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80: AES-128 counter mode, 80-bit HMAC-SHA1 tag on SRTP and SRTCP.</summary>
    AesCm128HmacSha1_80 = 0x0001,

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_32: as above with a 32-bit SRTP tag (SRTCP keeps 80 bits).</summary>
    AesCm128HmacSha1_32 = 0x0002,

    /// <summary>SRTP_AEAD_AES_128_GCM: AES-128-GCM with a 128-bit tag and a 96-bit salt.</summary>
    AeadAes128Gcm = 0x0007,
}

/// <summary>Lengths and properties of each <see cref="SrtpProfile"/>.</summary>
public static class SrtpProfiles
{
    /// <summary>True for the profiles this implementation can protect and unprotect.</summary>
    public static bool IsSupported(this SrtpProfile profile) =>
        profile is SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32 or SrtpProfile.AeadAes128Gcm;

    /// <summary>Maps a DTLS use_srtp profile id to a supported profile.</summary>
    public static bool TryFromId(ushort id, out SrtpProfile profile)
    {
        profile = (SrtpProfile)id;
        if (profile.IsSupported())
        {
            return true;
        }

        profile = SrtpProfile.None;
        return false;
    }

    /// <summary>Master key length in bytes (16 for every supported profile).</summary>
    public static int MasterKeyLength(this SrtpProfile profile) => profile.IsSupported() ? 16 : Unsupported(profile);

    /// <summary>Master salt length in bytes: 14 for AES-CM (RFC 3711), 12 for AES-GCM (RFC 7714 section 8.1).</summary>
    public static int MasterSaltLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32 => 14,
        SrtpProfile.AeadAes128Gcm => 12,
        _ => Unsupported(profile),
    };

    /// <summary>Session authentication key length in bytes (HMAC-SHA1 key; 0 for AEAD profiles).</summary>
    public static int AuthKeyLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32 => 20,
        SrtpProfile.AeadAes128Gcm => 0,
        _ => Unsupported(profile),
    };

    /// <summary>Bytes the tag adds to an SRTP packet.</summary>
    public static int RtpTagLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 => 10,
        SrtpProfile.AesCm128HmacSha1_32 => 4,
        SrtpProfile.AeadAes128Gcm => 16,
        _ => Unsupported(profile),
    };

    /// <summary>Bytes the tag adds to an SRTCP packet (the 4-byte E flag and index come on top).</summary>
    public static int RtcpTagLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32 => 10,
        SrtpProfile.AeadAes128Gcm => 16,
        _ => Unsupported(profile),
    };

    /// <summary>Total bytes an SRTCP packet grows by: tag plus the E flag and SRTCP index word.</summary>
    public static int RtcpOverhead(this SrtpProfile profile) => profile.RtcpTagLength() + 4;

    private static int Unsupported(SrtpProfile profile) =>
        throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile.");
}
