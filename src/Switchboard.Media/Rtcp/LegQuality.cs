namespace Switchboard.Media.Rtcp;

/// <summary>One direction of a leg's audio: packets expected and lost, and the interarrival jitter.</summary>
/// <param name="PacketsExpected">Packets the receiver expected (RFC 3550 appendix A.3: highest sequence - first + 1).</param>
/// <param name="PacketsLost">Expected minus received; negative when duplicates outnumber losses (RFC 3550 section 6.4.1).</param>
/// <param name="JitterMs">Interarrival jitter (RFC 3550 section 6.4.1, appendix A.8) in milliseconds.</param>
/// <param name="RecentLossPercent">Loss over the last report interval (the "fraction lost" of section 6.4.1), in percent.</param>
public readonly record struct StreamQuality(long PacketsExpected, long PacketsLost, double JitterMs, double RecentLossPercent)
{
    /// <summary>Cumulative loss in percent, 0 to 100 (duplicates do not make it negative).</summary>
    public double LossPercent => PacketsExpected <= 0 ? 0 : Math.Clamp(100.0 * PacketsLost / PacketsExpected, 0, 100);
}

/// <summary>
/// What one leg's RTCP knows about its audio: <see cref="Received"/> is our own reception statistics of the stream the
/// peer sends us (RFC 3550 appendices A.3 and A.8), <see cref="Reported"/> what the peer's last reception report says
/// about the stream we send it (section 6.4.1), <see cref="RoundTripMs"/> the round trip from that report's LSR and
/// DLSR (section 6.4.1). Each is null until known.
/// </summary>
public readonly record struct LegQuality(StreamQuality? Received, StreamQuality? Reported, double? RoundTripMs)
{
    public bool HasFigures => Received is not null || Reported is not null;

    /// <summary>The worse direction's cumulative loss: a leg is as good as its worse half.</summary>
    public double LossPercent => Math.Max(Received?.LossPercent ?? 0, Reported?.LossPercent ?? 0);

    /// <summary>The worse direction's loss over the last report interval.</summary>
    public double RecentLossPercent => Math.Max(Received?.RecentLossPercent ?? 0, Reported?.RecentLossPercent ?? 0);

    /// <summary>The worse direction's jitter.</summary>
    public double JitterMs => Math.Max(Received?.JitterMs ?? 0, Reported?.JitterMs ?? 0);
}
