using System.Globalization;
using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Trunks;

/// <summary>Checks a trunk before it is stored; every message names the field that is wrong.</summary>
public static class TrunkValidation
{
    public static string? Check(Trunk trunk)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        if (!Names.IsDomainName(trunk.Domain)) return $"--domain: '{trunk.Domain}' is not a domain name";
        if (trunk.Name.Length is 0 or > 32 || !trunk.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return $"--name: '{trunk.Name}' must be 1-32 letters, digits, '-' or '_'";
        var parts = trunk.Proxy.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0 || (!Names.IsDomainName(parts[0]) && !System.Net.IPAddress.TryParse(parts[0], out _)))
            return $"--proxy: '{trunk.Proxy}' is not host or host:port";
        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
            return $"--proxy: the port in '{trunk.Proxy}' is not 1-65535";
        if (trunk.Username.Length is 0 or > 64 || trunk.Username.Any(c => char.IsWhiteSpace(c) || c is '@' or ':' or '<' or '>' or '"'))
            return $"--username: '{trunk.Username}' is empty or has a character SIP user parts cannot carry";
        if (!string.IsNullOrEmpty(trunk.FromUser) && !Names.IsDialString(trunk.FromUser) && !trunk.FromUser.All(char.IsAsciiLetterOrDigit))
            return $"--from-user: '{trunk.FromUser}' is not a number or plain user name";
        if (!string.IsNullOrEmpty(trunk.AssertedIdentity) && !Names.IsDialString(trunk.AssertedIdentity))
            return $"--pai: '{trunk.AssertedIdentity}' is not a number";
        foreach (var (did, destination) in trunk.DidMap)
        {
            if (!Names.IsDialString(did)) return $"--did: '{did}' is not a number";
            if (!Names.IsDialString(destination) && !IsGroup(destination))
                return $"--did: the destination '{destination}' of {did} is not a number or group:NAME";
        }

        return null;
    }

    /// <summary>A trunk's transport as typed: udp, tcp or tls (a carrier is not reached over a WebSocket).</summary>
    public static bool TryParseTransport(string? text, out Switchboard.Sip.Transport.SipTransportKind kind) =>
        Switchboard.Sip.Transport.SipTransportKinds.TryParse(text, out kind) &&
        kind is not (Switchboard.Sip.Transport.SipTransportKind.Ws or Switchboard.Sip.Transport.SipTransportKind.Wss);

    /// <summary>A ring group of ivr.json, written <c>group:NAME</c>.</summary>
    private static bool IsGroup(string destination) =>
        destination.StartsWith("group:", StringComparison.Ordinal) && destination.Length > 6 &&
        destination[6..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
