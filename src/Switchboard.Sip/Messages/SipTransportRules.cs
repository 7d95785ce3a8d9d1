using System.Globalization;
using System.Net;

namespace Switchboard.Sip.Messages;

/// <summary>Where a response goes, from its top Via (RFC 3261 section 18.2.2, RFC 3581 section 4).</summary>
public readonly record struct SipResponseTarget(string Host, int Port, string Transport, bool UseRequestConnection);

/// <summary>The Via rules of the transport layer that need no socket: stamping received/rport, and response routing.</summary>
public static class SipTransportRules
{
    /// <summary>
    /// On receipt of a request (section 18.2.1, RFC 3581 section 4): adds received= when the sent-by host is not the source
    /// address, and fills an empty rport with the source port (received= is then always added). Returns the same request when
    /// nothing changes.
    /// </summary>
    public static SipRequest StampReceived(SipRequest request, IPAddress sourceAddress, int sourcePort)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sourceAddress);
        var via = request.TopVia;
        var source = sourceAddress.ToString();
        var hostIsSource = IPAddress.TryParse(via.Host.Trim('[', ']'), out var sentBy) && sentBy.Equals(sourceAddress);
        var fillRPort = via.HasRPort && via.RPort is null;
        if (hostIsSource && !fillRPort) return request;
        var text = via.ToString();
        if (fillRPort)
        {
            text = ReplaceRPort(text, sourcePort);
        }
        if (!hostIsSource || fillRPort)
        {
            text = RemoveParam(text, "received") + ";received=" + source;
        }
        // Rewrite every Via value in order (the top one may share a header line with others), topmost first.
        var vias = request.Vias.Select(v => v.ToString()).ToArray();
        vias[0] = text;
        var b = request.ToBuilder().RemoveHeader("Via");
        for (var i = vias.Length - 1; i >= 0; i--) b.PrependHeader("Via", vias[i]);
        return b.BuildRequest();
    }

    /// <summary>
    /// Where to send a response (section 18.2.2): the request's connection on reliable transports; else maddr; else
    /// received (with rport when present) or sent-by; default port 5060 (5061 for TLS).
    /// </summary>
    public static SipResponseTarget GetResponseTarget(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var via = response.TopVia;
        var reliable = via.Transport is not "UDP";
        var defaultPort = via.Transport is "TLS" or "WSS" ? 5061 : 5060;
        var maddr = via.Parameters.Get("maddr");
        if (!reliable && maddr is not null) return new SipResponseTarget(maddr, via.Port ?? defaultPort, via.Transport, false);
        var host = via.Received ?? via.Host;
        var port = via.RPort ?? via.Port ?? defaultPort;
        return new SipResponseTarget(host, port, via.Transport, reliable);
    }

    private static string ReplaceRPort(string via, int port)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var parts = via.Split(';');
        for (var i = 1; i < parts.Length; i++)
        {
            if (parts[i].Trim().Equals("rport", StringComparison.OrdinalIgnoreCase)) parts[i] = "rport=" + portText;
        }
        return string.Join(';', parts);
    }

    private static string RemoveParam(string via, string name) =>
        string.Join(';', via.Split(';').Where((p, i) => i == 0 || !p.Trim().StartsWith(name + "=", StringComparison.OrdinalIgnoreCase)));
}
