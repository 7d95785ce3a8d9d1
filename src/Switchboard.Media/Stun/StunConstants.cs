namespace Switchboard.Media.Stun;

/// <summary>STUN message class, the two C bits of the message type (RFC 8489 section 5).</summary>
public enum StunClass : byte
{
    Request = 0b00,
    Indication = 0b01,
    SuccessResponse = 0b10,
    ErrorResponse = 0b11,
}

/// <summary>STUN methods we use (RFC 8489 section 18.2). Only Binding is needed for ICE.</summary>
public enum StunMethod : ushort
{
    Binding = 0x001,
}

/// <summary>STUN attribute types (RFC 8489 section 18.3, RFC 8445 section 16.1).</summary>
/// <remarks>0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF comprehension-optional.</remarks>
public enum StunAttributeType : ushort
{
    MappedAddress = 0x0001,
    Username = 0x0006,
    MessageIntegrity = 0x0008,
    ErrorCode = 0x0009,
    UnknownAttributes = 0x000A,
    Realm = 0x0014,
    Nonce = 0x0015,
    MessageIntegritySha256 = 0x001C,
    PasswordAlgorithm = 0x001D,
    UserHash = 0x001E,
    XorMappedAddress = 0x0020,
    Priority = 0x0024,
    UseCandidate = 0x0025,
    PasswordAlgorithms = 0x8002,
    AlternateDomain = 0x8003,
    Software = 0x8022,
    AlternateServer = 0x8023,
    Fingerprint = 0x8028,
    IceControlled = 0x8029,
    IceControlling = 0x802A,
}

/// <summary>Fixed numbers of the STUN wire format (RFC 8489).</summary>
public static class StunConstants
{
    /// <summary>Magic cookie, section 5.</summary>
    public const uint MagicCookie = 0x2112A442;

    /// <summary>Header size: type, length, cookie, 96-bit transaction id.</summary>
    public const int HeaderLength = 20;

    public const int TransactionIdLength = 12;

    /// <summary>HMAC-SHA1 output, section 14.5.</summary>
    public const int MessageIntegrityLength = 20;

    /// <summary>XOR constant of the FINGERPRINT CRC-32, section 14.7.</summary>
    public const uint FingerprintXor = 0x5354554E;

    /// <summary>Binding request, 0x0001.</summary>
    public const ushort BindingRequest = 0x0001;

    /// <summary>Binding success response, 0x0101.</summary>
    public const ushort BindingSuccessResponse = 0x0101;

    /// <summary>Binding error response, 0x0111.</summary>
    public const ushort BindingErrorResponse = 0x0111;

    /// <summary>Binding indication (keepalive, RFC 8445 section 11), 0x0011.</summary>
    public const ushort BindingIndication = 0x0011;

    /// <summary>Compose a message type from method and class (RFC 8489 section 5, figure 3).</summary>
    public static ushort ComposeType(StunMethod method, StunClass messageClass)
    {
        int m = (int)method;
        int c = (int)messageClass;
        return (ushort)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
    }

    /// <summary>Method bits of a message type.</summary>
    public static StunMethod MethodOf(ushort messageType) =>
        (StunMethod)((messageType & 0x000F) | ((messageType & 0x00E0) >> 1) | ((messageType & 0x3E00) >> 2));

    /// <summary>Class bits of a message type.</summary>
    public static StunClass ClassOf(ushort messageType) =>
        (StunClass)(((messageType >> 4) & 1) | ((messageType >> 7) & 2));

    /// <summary>Attributes this parser understands; any other type below 0x8000 is an unknown comprehension-required attribute (RFC 8489 section 15).</summary>
    public static bool IsKnownAttribute(ushort type) => (StunAttributeType)type switch
    {
        StunAttributeType.MappedAddress or StunAttributeType.Username or StunAttributeType.MessageIntegrity
            or StunAttributeType.ErrorCode or StunAttributeType.UnknownAttributes or StunAttributeType.Realm
            or StunAttributeType.Nonce or StunAttributeType.MessageIntegritySha256 or StunAttributeType.PasswordAlgorithm
            or StunAttributeType.UserHash or StunAttributeType.XorMappedAddress or StunAttributeType.Priority
            or StunAttributeType.UseCandidate => true,
        _ => type >= 0x8000,
    };

    public static bool IsComprehensionRequired(ushort type) => type < 0x8000;
}

/// <summary>STUN error codes used by ICE (RFC 8489 section 14.8, RFC 8445 section 7.3.1.1).</summary>
public static class StunErrorCodes
{
    public const int BadRequest = 400;
    public const int Unauthenticated = 401;
    public const int UnknownAttribute = 420;
    public const int RoleConflict = 487;
    public const int ServerError = 500;
}
