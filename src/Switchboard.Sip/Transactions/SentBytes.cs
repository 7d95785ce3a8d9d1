using System.Runtime.InteropServices;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// A message a transaction has sent and may have to send again while it lingers (RFC 3261 section 17: the final
/// response of a server transaction in Completed, the ACK of an INVITE client transaction in Completed), kept as its
/// bytes alone. The parsed message (its header index and whatever strings, URIs and Vias were read from it) would
/// stay in the heap for 64 x T1 per transaction; the bytes are what goes on the wire anyway. A resend, which only loss
/// brings about, parses them again.
/// </summary>
internal readonly struct SentBytes
{
    private readonly ReadOnlyMemory<byte> _bytes;

    private SentBytes(ReadOnlyMemory<byte> bytes) => _bytes = bytes;

    public bool IsEmpty => _bytes.IsEmpty;

    /// <summary>The bytes of <paramref name="message"/>; copied when they are a slice of a larger buffer, which they would keep alive.</summary>
    public static SentBytes Of(SipMessage message)
    {
        var raw = message.Raw;
        return MemoryMarshal.TryGetArray(raw, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? new SentBytes(raw)
            : new SentBytes(raw.ToArray());
    }

    /// <summary>The same bytes as a message again, for the transport (which sends <see cref="SipMessage.Raw"/>: byte for byte the first one).</summary>
    public SipMessage ToMessage()
    {
        // The bytes came from a message that parsed, and parsing them does not change them (folds were already spaces);
        // as one datagram they end where the message ended, whether or not it had a Content-Length.
        var parsed = SipParser.Parse(_bytes, SipParserOptions.Default, SipTransportFraming.Datagram);
        return parsed.IsSuccess ? parsed.Message : throw new InvalidOperationException($"A sent message no longer parses: {parsed.Error}.");
    }
}
