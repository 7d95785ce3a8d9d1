using Switchboard.Media.Phone;
using Switchboard.Media.WebRtc;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>The popup's last report of its own view; kept for the record.</summary>
        private PageQuality? _pageQuality;

        /// <summary>Each side's figures over the whole call, taken on the shard as the media closes.</summary>
        private LegQualityFigures? _callerQuality;
        private LegQualityFigures? _calleeQuality;

        /// <summary>Each side's figures of the last RTCP interval, for the live view.</summary>
        private LegQualityFigures? _liveCallerQuality;
        private LegQualityFigures? _liveCalleeQuality;

        /// <summary>Posted, so the call's own loop keeps it: the socket's thread never touches the call's state.</summary>
        public void ReportPageQuality(PageQuality quality) => Post(new Input(InputKind.PageQuality, PageQuality: quality));

        /// <summary>A leg's RTCP interval passed: the live view gets both legs' current figures (docs/admin.md, "Live calls").</summary>
        private Task<CallEnd?> SampleQuality()
        {
            _liveCallerQuality = Figures(_media.Caller, recent: true) ?? _liveCallerQuality;
            _liveCalleeQuality = Figures(_media.Callee, recent: true) ?? _liveCalleeQuality;
            PublishView();
            return NoEnd;
        }

        /// <summary>
        /// Before the legs close: each side's figures over the call, for its record, and into the engine's sums. A side
        /// whose RTCP measured nothing (no media, a built-in service that only listens) has none.
        /// </summary>
        private void TakeFinalQuality()
        {
            _callerQuality = Final(_media.Caller);
            _calleeQuality = Final(_media.Callee);
        }

        private LegQualityFigures? Final(MediaEnd? end)
        {
            if (end is null || Figures(end, recent: false) is not { } figures)
            {
                return null;
            }

            _engine.Quality.Add(end.Quality, figures);
            return figures;
        }

        private static LegQualityFigures? Figures(MediaEnd? end, bool recent) =>
            end is null ? null : LegQualityFigures.From(end.Quality, end.Audio.Codec.Codec.Name, recent);

        private static bool IsQualitySample(in Input input) =>
            (input.Kind == InputKind.WebLeg && input.LegEvent.Kind == WebRtcLegEventKind.QualitySampled) ||
            (input.Kind == InputKind.PhoneLeg && input.PhoneEvent.Kind == RtpLegEventKind.QualitySampled);
    }
}
