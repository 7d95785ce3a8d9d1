using System.Globalization;
using System.Net;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Messages;

/// <summary>Where a response goes, from its top Via (RFC 3261 section 18.2.2, RFC 3581 section 4).</summary>
public readonly record struct SipResponseTarget(string Host, int Port, string Transport, bool UseRequestConnection);

/// <summary>The Via rules of the transport layer that need no socket: stamping received/rport, and response routing.</summary>
public static class SipTransportRules
{
    /// <summary>
    /// On receipt of a request (section 18.2.1, RFC 3581 section 4): adds received= when the sent-by host is not the source
    /// address, and fills an empty rport with the source port (received= is then always added). Returns the same request when
    /// nothing changes. Only the top Via value's bytes are rewritten; every other byte of the message stays as received.
    /// </summary>
    public static SipRequest StampReceived(SipRequest request, IPAddress sourceAddress, int sourcePort)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sourceAddress);
        var index = request.IndexOf(SipHeaderId.Via);
        var raw = request.Raw.Span;
        var entry = request.Entries[index];
        var value = raw.Slice(entry.ValueStart, entry.ValueLength);
        var splitter = new CommaSplitter(value);
        if (!splitter.TryNext(out var part) || !HeaderSyntax.TryParseVia(value.Slice(part.Start, part.Length), out var r))
        {
            throw new InvalidOperationException("Via was validated.");
        }

        var via = value.Slice(part.Start, part.Length);
        var fillRPort = r.HasRPort && r.RPort < 0;
        if (!fillRPort && IsAddress(via.Slice(r.Host.Start, r.Host.Length), sourceAddress))
        {
            return request;
        }

        // The new top Via: up to its parameters as written, the parameters but received (rport filled), then received.
        Span<byte> stamp = via.Length <= 400 ? stackalloc byte[480] : new byte[via.Length + 80];
        var n = Copy(via[..r.Params.Start], stamp);
        var reader = new HeaderParamReader(via, r.Params.Start);
        while (reader.TryNext(out var name, out var paramValue, out var hasValue))
        {
            var paramName = via.Slice(name.Start, name.Length);
            if (SipSyntax.EqualsIgnoreCase(paramName, "received"u8))
            {
                continue;
            }

            stamp[n++] = (byte)';';
            if (!hasValue && SipSyntax.EqualsIgnoreCase(paramName, "rport"u8))
            {
                n += Copy("rport="u8, stamp[n..]);
                sourcePort.TryFormat(stamp[n..], out var portLength, default, CultureInfo.InvariantCulture);
                n += portLength;
                continue;
            }

            var paramEnd = hasValue ? paramValue.Start + paramValue.Length : name.Start + name.Length;
            n += Copy(via[name.Start..paramEnd], stamp[n..]);
        }

        n += Copy(";received="u8, stamp[n..]);
        sourceAddress.TryFormat(stamp[n..], out var addressLength);
        n += addressLength;

        var viaStart = entry.ValueStart + part.Start;
        var viaEnd = viaStart + part.Length;
        var bytes = new byte[raw.Length - part.Length + n];
        raw[..viaStart].CopyTo(bytes);
        stamp[..n].CopyTo(bytes.AsSpan(viaStart));
        raw[viaEnd..].CopyTo(bytes.AsSpan(viaStart + n));
        var parsed = SipParser.Parse(bytes.AsMemory());
        return parsed.Message as SipRequest ?? throw new InvalidOperationException($"The stamped request does not parse: {parsed.Error} {parsed.Detail}.");
    }

    /// <summary>Whether a Via host (a name, an IPv4 address or a bracketed IPv6 reference) is this address.</summary>
    private static bool IsAddress(ReadOnlySpan<byte> host, IPAddress address)
    {
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
        {
            host = host[1..^1];
        }

        Span<char> text = stackalloc char[64];
        if (host.Length > text.Length)
        {
            return false;
        }

        for (var i = 0; i < host.Length; i++)
        {
            text[i] = (char)host[i];
        }

        return IPAddress.TryParse(text[..host.Length], out var sentBy) && sentBy.Equals(address);
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
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
}
