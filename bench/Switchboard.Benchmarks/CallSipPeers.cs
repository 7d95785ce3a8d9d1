using System.Security.Cryptography;
using System.Text;
using Switchboard.Sip.Messages;

namespace Switchboard.Benchmarks;

/// <summary>
/// The two phones of <see cref="CallSipWork"/>, as SIPp plays them in the load test (bench/sipp/uac-digest.xml and
/// uas-answer.xml): their messages are written into one reusable buffer from fixed text and from the values the PBX
/// sent (Via, tags, nonce), so the benchmark counts only what the PBX allocates. The caller's Call-ID and tags are the
/// same every call: the PBX has forgotten the previous call (every transaction ended) before the next begins.
/// </summary>
internal sealed class CallSipPeers
{
    public const string Password = "pw";

    private static readonly byte[] Invite1 = Encoding.ASCII.GetBytes(
        "INVITE sip:1000@load.test SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-0;rport\r\n" +
        "From: <sip:2000@load.test>;tag=4242SIPpTag001\r\n" +
        "To: <sip:1000@load.test>\r\n" +
        "Call-ID: 1-4242@127.0.0.1\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Contact: <sip:2000@127.0.0.1:5061>\r\n" +
        "Max-Forwards: 70\r\n" +
        "Subject: SIPp load\r\n" +
        "Content-Type: application/sdp\r\n");

    private static readonly byte[] Ack1 = Encoding.ASCII.GetBytes(
        "ACK sip:1000@load.test SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-0;rport\r\n" +
        "From: <sip:2000@load.test>;tag=4242SIPpTag001\r\n" +
        "To: <sip:1000@load.test>;tag=");

    private static readonly byte[] Ack1Tail = Encoding.ASCII.GetBytes(
        "\r\nCall-ID: 1-4242@127.0.0.1\r\n" +
        "CSeq: 1 ACK\r\n" +
        "Max-Forwards: 70\r\n" +
        "Content-Length: 0\r\n\r\n");

    private static readonly byte[] Invite2 = Encoding.ASCII.GetBytes(
        "INVITE sip:1000@load.test SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-5;rport\r\n" +
        "From: <sip:2000@load.test>;tag=4242SIPpTag001\r\n" +
        "To: <sip:1000@load.test>\r\n" +
        "Call-ID: 1-4242@127.0.0.1\r\n" +
        "CSeq: 2 INVITE\r\n" +
        "Contact: <sip:2000@127.0.0.1:5061>\r\n" +
        "Authorization: Digest username=\"2000\",realm=\"load.test\",cnonce=\"6b8b4567\",nc=00000001,qop=auth,uri=\"sip:1000@load.test\",nonce=\"");

    private static readonly byte[] Invite2Tail = Encoding.ASCII.GetBytes(
        "\",algorithm=MD5\r\n" +
        "Max-Forwards: 70\r\n" +
        "Subject: SIPp load\r\n" +
        "Content-Type: application/sdp\r\n");

    private static readonly byte[] Offer = Encoding.ASCII.GetBytes(
        "v=0\r\n" +
        "o=sipp 1 1 IN IP4 127.0.0.1\r\n" +
        "s=-\r\n" +
        "c=IN IP4 127.0.0.1\r\n" +
        "t=0 0\r\n" +
        "m=audio 6000 RTP/AVP 0 8 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-16\r\n" +
        "a=sendrecv\r\n");

    private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
        "v=0\r\n" +
        "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n" +
        "s=-\r\n" +
        "c=IN IP4 127.0.0.1\r\n" +
        "t=0 0\r\n" +
        "m=audio 6100 RTP/AVP 0 8 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n");

    private static readonly byte[] InDialogHead = Encoding.ASCII.GetBytes(
        " sip:2000@127.0.0.1:5061 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-");

    private static readonly byte[] InDialogFrom = Encoding.ASCII.GetBytes(
        ";rport\r\n" +
        "From: <sip:2000@load.test>;tag=4242SIPpTag001\r\n" +
        "To: <sip:1000@load.test>;tag=");

    private static readonly byte[] InDialogTail = Encoding.ASCII.GetBytes(
        "\r\nCall-ID: 1-4242@127.0.0.1\r\n" +
        "Max-Forwards: 70\r\n" +
        "Content-Length: 0\r\n\r\n");

    /// <summary>HA1 and HA2 of the caller's digest (RFC 2617 section 3.2.2), fixed for the call: MD5 hex.</summary>
    private readonly byte[] _ha1 = HexMd5("2000:load.test:" + Password);

    private readonly byte[] _ha2 = HexMd5("INVITE:sip:1000@load.test");

    private readonly byte[] _buffer = new byte[4096];
    private int _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>The caller's first INVITE, no credentials.</summary>
    public void CallerInvite()
    {
        _length = 0;
        Append(Invite1);
        AppendBody(Offer);
    }

    /// <summary>The caller's ACK for the 401 (same branch: RFC 3261 section 17.1.1.3), with the 401's To tag.</summary>
    public void CallerAckFor401(SipResponse challenge)
    {
        _length = 0;
        Append(Ack1);
        Append(Param(challenge.Headers, SipHeaderId.To, "tag="u8));
        Append(Ack1Tail);
    }

    /// <summary>The caller's second INVITE, answering the 401's MD5 challenge with qop=auth.</summary>
    public void CallerInviteWithCredentials(SipResponse challenge)
    {
        var nonce = Quoted(Param(challenge.Headers, SipHeaderId.WwwAuthenticate, "nonce="u8));
        _length = 0;
        Append(Invite2);
        Append(nonce);
        Append("\",response=\""u8);

        // response = MD5(HA1:nonce:nc:cnonce:qop:HA2)
        Span<byte> input = stackalloc byte[256];
        var n = 0;
        n += Copy(_ha1, input[n..]);
        input[n++] = (byte)':';
        n += Copy(nonce, input[n..]);
        n += Copy(":00000001:6b8b4567:auth:"u8, input[n..]);
        n += Copy(_ha2, input[n..]);
        Span<byte> hash = stackalloc byte[16];
#pragma warning disable CA5351 // The phone answers the PBX's MD5 challenge, as SIPp does.
        MD5.HashData(input[..n], hash);
#pragma warning restore CA5351
        Span<byte> hex = stackalloc byte[32];
        Hex(hash, hex);
        Append(hex);
        Append(Invite2Tail);
        AppendBody(Offer);
    }

    /// <summary>The caller's ACK for the 200, or its BYE: to our Contact, with our To tag (RFC 3261 section 12.2.1.1).</summary>
    public void CallerInDialog(SipResponse ok, bool bye)
    {
        _length = 0;
        Append(bye ? "BYE"u8 : "ACK"u8);
        Append(InDialogHead);
        Append(bye ? "7"u8 : "6"u8);
        Append(InDialogFrom);
        Append(Param(ok.Headers, SipHeaderId.To, "tag="u8));
        Append(bye ? "\r\nCSeq: 3 BYE"u8 : "\r\nCSeq: 2 ACK"u8);
        Append(InDialogTail);
    }

    /// <summary>The callee's 200 to a request the PBX sent it: Via, From, Call-ID, CSeq copied, To tagged (section 8.2.6.2).</summary>
    public void CalleeOk(SipRequest request, bool withAnswer)
    {
        _length = 0;
        Append("SIP/2.0 200 OK\r\n"u8);
        foreach (var h in request.Headers)
        {
            if (h.Id is SipHeaderId.Via or SipHeaderId.From or SipHeaderId.CallId or SipHeaderId.CSeq or SipHeaderId.To)
            {
                Append(h.RawName);
                Append(": "u8);
                Append(h.RawValue);
                if (h.Id == SipHeaderId.To && request.Method == SipMethod.Invite)
                {
                    Append(";tag=callee6001"u8);
                }

                Append("\r\n"u8);
            }
        }

        if (withAnswer)
        {
            Append("Contact: <sip:1000@127.0.0.1:6001>\r\nContent-Type: application/sdp\r\n"u8);
            AppendBody(Answer);
        }
        else
        {
            Append("Content-Length: 0\r\n\r\n"u8);
        }
    }

    private void AppendBody(ReadOnlySpan<byte> body)
    {
        Append("Content-Length: "u8);
        System.Buffers.Text.Utf8Formatter.TryFormat(body.Length, _buffer.AsSpan(_length), out var digits);
        _length += digits;
        Append("\r\n\r\n"u8);
        Append(body);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>The value of <paramref name="name"/> in the first header <paramref name="id"/>, up to ';', ',' or the end.</summary>
    private static ReadOnlySpan<byte> Param(SipHeaderList headers, SipHeaderId id, ReadOnlySpan<byte> name)
    {
        foreach (var h in headers)
        {
            if (h.Id != id)
            {
                continue;
            }

            var value = h.RawValue;
            var at = value.IndexOf(name);
            if (at < 0)
            {
                continue;
            }

            var rest = value[(at + name.Length)..];
            var end = rest.IndexOfAny((byte)';', (byte)',');
            return end < 0 ? rest : rest[..end];
        }

        throw new InvalidOperationException("The PBX's message lacks a value the phone needs.");
    }

    private static ReadOnlySpan<byte> Quoted(ReadOnlySpan<byte> value) => value.Length >= 2 && value[0] == '"' ? value[1..^1] : value;

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private static void Hex(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        const string digits = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = (byte)digits[bytes[i] >> 4];
            destination[(2 * i) + 1] = (byte)digits[bytes[i] & 15];
        }
    }

#pragma warning disable CA5351 // The phone answers the PBX's MD5 challenge, as SIPp does.
    private static byte[] HexMd5(string text)
    {
        var hex = new byte[32];
        Hex(MD5.HashData(Encoding.ASCII.GetBytes(text)), hex);
        return hex;
    }
#pragma warning restore CA5351
}
