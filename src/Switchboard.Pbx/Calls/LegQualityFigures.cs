using Switchboard.Media.Quality;
using Switchboard.Media.Rtcp;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// One media leg's quality as the call record and the live view show it (docs/media.md, "Call quality"): loss and
/// jitter of the worse direction, the round trip when the peer's reports gave one, and the E-model MOS estimate.
/// </summary>
/// <param name="LossPercent">Packets lost, in percent (0-100), two decimals.</param>
/// <param name="JitterMs">Interarrival jitter in milliseconds, one decimal.</param>
/// <param name="RoundTripMs">Round trip in milliseconds, one decimal; null when the peer's reports gave none.</param>
/// <param name="Mos">The E-model estimate, 1 to 4.5, two decimals.</param>
public sealed record LegQualityFigures(double LossPercent, double JitterMs, double? RoundTripMs, double Mos)
{
    /// <summary>
    /// The figures of a leg's RTCP: over the whole call (<paramref name="recent"/> false: the record), or the loss of the
    /// last report interval (true: the live view, which should show a burst now, not its average). Null when RTCP knows
    /// nothing yet.
    /// </summary>
    public static LegQualityFigures? From(LegQuality quality, string? codec, bool recent)
    {
        if (!quality.HasFigures)
        {
            return null;
        }

        var loss = recent ? quality.RecentLossPercent : quality.LossPercent;
        var jitter = quality.JitterMs;
        var mos = EModel.Mos(CodecImpairment.For(codec), loss, jitter, quality.RoundTripMs);
        return new LegQualityFigures(Math.Round(loss, 2), Math.Round(jitter, 1), quality.RoundTripMs is { } rtt ? Math.Round(rtt, 1) : null, mos);
    }
}
