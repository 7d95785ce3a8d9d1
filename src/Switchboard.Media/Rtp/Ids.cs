using System.Globalization;

namespace Switchboard.Media.Rtp;

/// <summary>RTP synchronization source identifier (RFC 3550 section 5.1).</summary>
public readonly record struct Ssrc(uint Value)
{
    public override string ToString() => Value.ToString("x8", CultureInfo.InvariantCulture);
}

/// <summary>RTP payload type, 7 bits (RFC 3550 section 5.1, RFC 3551 section 6).</summary>
public readonly record struct PayloadType
{
    public PayloadType(byte value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, (byte)127);
        Value = value;
    }

    public byte Value { get; }

    public static PayloadType Pcmu => new(0);

    public static PayloadType Pcma => new(8);

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
