namespace Switchboard.Media.Srtp;

/// <summary>
/// SRTP and SRTCP for one direction under one master key (RFC 3711 section 3.2): session keys are
/// derived once, and each SSRC gets its own rollover counter, replay windows and SRTCP index, created on
/// its first packet (on receive, only once that packet authenticated). Works in place on the caller's
/// buffer, never allocates per packet and never throws for bad input. Not thread-safe: one owner.
/// </summary>
public sealed partial class SrtpContext : IDisposable
{
    /// <summary>Default limit on SSRCs per context, so forged SSRCs cannot grow state without bound.</summary>
    public const int DefaultMaxStreams = 64;

    private readonly SrtpCipher _cipher;
    private readonly Dictionary<uint, SrtpStream> _streams = [];
    private readonly int _maxStreams;
    private readonly int _rtpTagLength;
    private readonly int _rtcpOverhead;
    private SrtpStream? _lastStream;
    private uint _lastSsrc;

    /// <summary>Derives the session keys of <paramref name="key"/>.</summary>
    public SrtpContext(SrtpMasterKey key, int maxStreams = DefaultMaxStreams)
        : this(SrtpCipher.Create(key ?? throw new ArgumentNullException(nameof(key)), useIntrinsics: true), maxStreams)
    {
    }

    internal SrtpContext(SrtpCipher cipher, int maxStreams = DefaultMaxStreams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        _cipher = cipher;
        _maxStreams = maxStreams;
        _rtpTagLength = cipher.Profile.RtpTagLength();
        _rtcpOverhead = cipher.Profile.RtcpOverhead();
    }

    /// <summary>The protection profile.</summary>
    public SrtpProfile Profile => _cipher.Profile;

    /// <summary>Bytes <see cref="ProtectRtp"/> adds to a packet: the buffer needs this much room after it.</summary>
    public int RtpOverhead => _rtpTagLength;

    /// <summary>Bytes <see cref="ProtectRtcp"/> adds to a packet: tag plus the E flag and SRTCP index.</summary>
    public int RtcpOverhead => _rtcpOverhead;

    /// <summary>Number of SSRCs this context keeps state for.</summary>
    public int StreamCount => _streams.Count;

    internal SrtpCipher Cipher => _cipher;

    /// <summary>The rollover counter of <paramref name="ssrc"/>'s highest index, if the SSRC is known.</summary>
    public bool TryGetRolloverCounter(uint ssrc, out uint rolloverCounter)
    {
        if (_streams.TryGetValue(ssrc, out var stream) && stream.Rtp.HasHighest)
        {
            rolloverCounter = (uint)(stream.Rtp.Highest >> 16);
            return true;
        }

        rolloverCounter = 0;
        return false;
    }

    public void Dispose() => _cipher.Dispose();

    /// <summary>Starts (or moves) a stream at a given highest SRTP index and next SRTCP index, for tests of late-life states.</summary>
    internal void SeedStream(uint ssrc, ulong highestRtpIndex, uint nextRtcpIndex)
    {
        var stream = Find(ssrc) ?? Add(ssrc);
        stream.Rtp = default;
        stream.Rtp.Accept(highestRtpIndex);
        stream.NextRtcpIndex = nextRtcpIndex;
    }

    /// <summary>Forgets every stream's replay history (keeping the streams), so a benchmark can unprotect one packet repeatedly.</summary>
    internal void ResetReplayWindows()
    {
        foreach (var stream in _streams.Values)
        {
            stream.Rtp = default;
            stream.Rtcp = default;
        }
    }

    private SrtpStream? Find(uint ssrc)
    {
        if (_lastStream is not null && _lastSsrc == ssrc)
        {
            return _lastStream;
        }

        if (_streams.TryGetValue(ssrc, out var stream))
        {
            _lastSsrc = ssrc;
            _lastStream = stream;
        }

        return stream;
    }

    private SrtpStream Add(uint ssrc)
    {
        var stream = new SrtpStream();
        _streams.Add(ssrc, stream);
        _lastSsrc = ssrc;
        _lastStream = stream;
        return stream;
    }

    private static void CheckArguments(Span<byte> buffer, int length)
    {
        if ((uint)length > (uint)buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "Length must be within the buffer.");
        }
    }

    /// <summary>Per-SSRC state.</summary>
    private sealed class SrtpStream
    {
        /// <summary>SRTP: highest index sent or received, and the receive replay window.</summary>
        public SrtpReplayWindow Rtp;

        /// <summary>SRTCP receive replay window.</summary>
        public SrtpReplayWindow Rtcp;

        /// <summary>Next SRTCP index to send; the first is 1, as libsrtp (and so Chrome) sends.</summary>
        public uint NextRtcpIndex = 1;
    }
}
