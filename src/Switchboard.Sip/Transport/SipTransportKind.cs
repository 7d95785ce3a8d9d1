namespace Switchboard.Sip.Transport;

/// <summary>The transports a SIP message travels on (RFC 3261 section 18, RFC 7118 for WebSocket).</summary>
public enum SipTransportKind
{
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}

public static class SipTransportKinds
{
    /// <summary>Reliable transports skip retransmissions (RFC 3261 section 17.1.1.2) and keep their connection for replies.</summary>
    public static bool IsReliable(this SipTransportKind kind) => kind != SipTransportKind.Udp;

    /// <summary>The token of the Via header's sent-protocol (RFC 3261 section 20.42, RFC 7118 section 5.2).</summary>
    public static string ViaToken(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "UDP",
        SipTransportKind.Tcp => "TCP",
        SipTransportKind.Tls => "TLS",
        SipTransportKind.Ws => "WS",
        _ => "WSS",
    };

    /// <summary>The value of a URI's <c>transport</c> parameter for this transport.</summary>
    public static string UriParameter(this SipTransportKind kind) => ViaToken(kind).ToLowerInvariant();

    /// <summary>Reads a Via token or URI <c>transport</c> parameter, in any case.</summary>
    public static bool TryParse(string? token, out SipTransportKind kind)
    {
        switch (token?.ToUpperInvariant())
        {
            case "UDP":
                kind = SipTransportKind.Udp;
                return true;
            case "TCP":
                kind = SipTransportKind.Tcp;
                return true;
            case "TLS":
                kind = SipTransportKind.Tls;
                return true;
            case "WS":
                kind = SipTransportKind.Ws;
                return true;
            case "WSS":
                kind = SipTransportKind.Wss;
                return true;
            default:
                kind = SipTransportKind.Udp;
                return false;
        }
    }
}
