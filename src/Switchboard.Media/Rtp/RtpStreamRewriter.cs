using System.Buffers.Binary;

namespace Switchboard.Media.Rtp;

/// <summary>
/// The one RTP stream a leg sends its peer, made of packets from sources that change during a call: the far leg,
/// another far leg after a transfer, our own prompts and digits, the peer's own audio echoed. Every packet leaves
/// with our SSRC, our next sequence number and a timestamp on one line that never jumps: RFC 3550 section 5.1 has the
/// timestamp of a stream advance linearly with its sampling clock. A receiver's jitter buffer trusts that line:
/// Chromium's drops every packet whose timestamp lies behind what it already played, so a transfer that handed the
/// browser the new far leg's (random) timestamps left it silent about every other time.
/// </summary>
/// <remarks>
/// When a source starts, its offset is chosen so that its first packet continues our line where the wall clock says
/// it should (the last timestamp plus the time since, and at least one 20 ms frame, so it cannot land inside the
/// last packet's audio). Two sources may take turns packet by packet (a digit we send while the far leg's audio is
/// relayed): the one that spoke last keeps its offset while it spoke within <see cref="RecentSource"/>, so both keep
/// their own spacing. Per packet: three header writes, no allocation. One owner (the leg's shard).
/// </remarks>
public sealed class RtpStreamRewriter
{
    /// <summary>How long a source that stopped keeps its offset for packets that come back from it.</summary>
    public static readonly TimeSpan RecentSource = TimeSpan.FromMilliseconds(500);

    private Source _current;
    private Source _previous;
    private ushort _sequence;
    private uint _lastTimestamp;
    private TimeSpan _lastSentAt;
    private bool _sent;

    public RtpStreamRewriter(uint ssrc, ushort firstSequence)
    {
        Ssrc = ssrc;
        _sequence = firstSequence;
    }

    /// <summary>The SSRC every packet of the stream carries.</summary>
    public uint Ssrc { get; }

    /// <summary>
    /// Rewrites the fixed header of <paramref name="rtp"/> (at least <see cref="RtpHeader.FixedHeaderLength"/> bytes,
    /// checked by the caller) in place as our next packet, at <paramref name="now"/> on the owner's clock, and returns
    /// the sequence number it got. <paramref name="clockRate"/> is the negotiated codec's.
    /// </summary>
    public ushort Rewrite(Span<byte> rtp, TimeSpan now, int clockRate)
    {
        var sourceSsrc = BinaryPrimitives.ReadUInt32BigEndian(rtp[8..]);
        var sourceTimestamp = BinaryPrimitives.ReadUInt32BigEndian(rtp[4..]);
        var timestamp = unchecked(sourceTimestamp + OffsetFor(sourceSsrc, sourceTimestamp, now, clockRate));

        // The line only moves forward: a source's late or reordered packet must not pull the next source's start back.
        if (!_sent || unchecked((int)(timestamp - _lastTimestamp)) > 0)
        {
            _lastTimestamp = timestamp;
        }

        _lastSentAt = now;
        _sent = true;
        var sequence = _sequence++;
        BinaryPrimitives.WriteUInt16BigEndian(rtp[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(rtp[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(rtp[8..], Ssrc);
        return sequence;
    }

    private uint OffsetFor(uint sourceSsrc, uint sourceTimestamp, TimeSpan now, int clockRate)
    {
        if (_current.Known && _current.Ssrc == sourceSsrc)
        {
            _current.LastSeenAt = now;
            return _current.Offset;
        }

        if (_previous.Known && _previous.Ssrc == sourceSsrc && now - _previous.LastSeenAt <= RecentSource)
        {
            (_current, _previous) = (_previous, _current);
            _current.LastSeenAt = now;
            return _current.Offset;
        }

        // A new source, or one back after a while: it starts where our line is now.
        var offset = 0u;
        if (_sent)
        {
            var elapsed = (now - _lastSentAt).Ticks * clockRate / TimeSpan.TicksPerSecond;
            var advance = (uint)Math.Clamp(elapsed, clockRate / 50, int.MaxValue);
            offset = unchecked(_lastTimestamp + advance - sourceTimestamp);
        }

        _previous = _current;
        _current = new Source(true, sourceSsrc, offset, now);
        return offset;
    }

    private record struct Source(bool Known, uint Ssrc, uint Offset, TimeSpan LastSeenAt);
}
