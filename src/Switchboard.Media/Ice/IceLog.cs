using Microsoft.Extensions.Logging;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Ice;

/// <summary>Source-generated log messages of the ICE-lite agent (event ids 3200-3299). Addresses go through <see cref="RedactedAddress"/>.</summary>
internal static partial class IceLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Debug, Message = "ICE {Ufrag} selected pair -> {Remote}")]
    public static partial void Selected(ILogger logger, string ufrag, RedactedAddress remote);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "ICE {Ufrag} consent expired for {Remote}: no valid check for {Timeout}")]
    public static partial void ConsentExpired(ILogger logger, string ufrag, RedactedAddress remote, TimeSpan timeout);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "ICE {Ufrag} gave up: no nomination within {Timeout}")]
    public static partial void ConnectTimeout(ILogger logger, string ufrag, TimeSpan timeout);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Debug, Message = "ICE restarted, local ufrag now {Ufrag}")]
    public static partial void Restarted(ILogger logger, string ufrag);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Trace, Message = "ICE {Ufrag} check from {Remote}: {Outcome}")]
    public static partial void CheckRejected(ILogger logger, string ufrag, RedactedAddress remote, IceCheckOutcome outcome);
}

/// <summary>
/// An address as logs may show it: the IPv4 host octet or the IPv6 interface identifier is hidden,
/// the port kept, e.g. <c>192.0.2.x:50123</c> or <c>[2001:db8:0:1:x]:50123</c>.
/// </summary>
internal readonly struct RedactedAddress(TransportAddress address)
{
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        int n = address.WriteAddressBytes(bytes);
        string port = address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (n == 4)
        {
            return $"{bytes[0]}.{bytes[1]}.{bytes[2]}.x:{port}";
        }

        if (n == 16)
        {
            return $"[{bytes[0] << 8 | bytes[1]:x}:{bytes[2] << 8 | bytes[3]:x}:{bytes[4] << 8 | bytes[5]:x}:{bytes[6] << 8 | bytes[7]:x}:x]:{port}";
        }

        return "(none)";
    }
}
