namespace Switchboard.Media.Stun;

/// <summary>Outcome of <see cref="StunMessage.TryParse"/>. Bad input is a value, never an exception.</summary>
public enum StunParseStatus : byte
{
    Ok = 0,

    /// <summary>Fewer than 20 bytes.</summary>
    TooShort,

    /// <summary>The two most significant bits are not zero (RFC 8489 section 5).</summary>
    NotStun,

    /// <summary>The magic cookie is not 0x2112A442 (RFC 3489 messages land here too).</summary>
    BadMagicCookie,

    /// <summary>The length field is not a multiple of 4 or does not equal the datagram size minus 20.</summary>
    BadLength,

    /// <summary>An attribute runs past the end of the message.</summary>
    AttributeOverrun,

    /// <summary>MESSAGE-INTEGRITY, FINGERPRINT, PRIORITY, USE-CANDIDATE or ICE-CONTROLLING/ED has the wrong size.</summary>
    BadAttributeLength,

    /// <summary>An attribute follows FINGERPRINT, which must be last (RFC 8489 section 14.7).</summary>
    FingerprintNotLast,
}

/// <summary>Result of checking MESSAGE-INTEGRITY or FINGERPRINT.</summary>
public enum StunCheck : byte
{
    Absent = 0,
    Valid,
    Invalid,
}
