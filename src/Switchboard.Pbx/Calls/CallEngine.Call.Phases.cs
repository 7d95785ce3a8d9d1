using Switchboard.Media.WebRtc;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        private readonly CallPhases _phases = new();

        /// <summary>
        /// A browser caller to a built-in service is told <c>connected</c> only once its media flows (docs/signalling.md,
        /// "What connected means"): its first SRTP packet has reached us and, for the echo, ours has left for it.
        /// A phone caller's answer is its 200 OK, sent at once.
        /// </summary>
        private bool _connectOnMedia;

        /// <summary>The service sends audio back at once (the echo), so <c>connected</c> also waits for our first SRTP out.</summary>
        private bool _connectNeedsOutbound;

        public void ReportPagePhases(PagePhases phases) => _phases.SetPage(phases);

        /// <summary>
        /// Runs on the shard when a leg raises an event, before it is posted: the caller's set-up marks take the time
        /// the leg saw it, not the time the call's loop reads it.
        /// </summary>
        private void OnWebLegEvent(int id, WebRtcLegEvent e)
        {
            if (_media.SideOf(id) == CallSide.Caller && PhaseOf(e.Kind) is { } phase)
            {
                _phases.Mark(phase, Now);
            }

            Post(new Input(InputKind.WebLeg, MediaId: id, LegEvent: e));
        }

        private static string? PhaseOf(WebRtcLegEventKind kind) => kind switch
        {
            WebRtcLegEventKind.FirstIceCheck => "ice_check",
            WebRtcLegEventKind.MediaConnected => "dtls",
            WebRtcLegEventKind.FirstSrtpReceived => "srtp_in",
            WebRtcLegEventKind.FirstSrtpSent => "srtp_out",
            _ => null,
        };

        /// <summary>A web leg's event while live: first <c>connected</c> if this is the one that completes media both ways.</summary>
        private async Task<CallEnd?> OnWebMediaAsync(CallSide side, WebRtcLegEvent e)
        {
            if (_connectOnMedia && side == CallSide.Caller && _phases.Has("srtp_in") && (!_connectNeedsOutbound || _phases.Has("srtp_out")))
            {
                _connectOnMedia = false;
                await _observer.OnConnectedAsync();
            }

            return await DriveAsync(new CallInput.WebMedia(side, e, Peers));
        }

        /// <summary>The marks go to the per-phase metrics and, as JSON, into the call's record.</summary>
        private string? FinishPhases()
        {
            _engine._setupStats.Phases.Record(_phases);
            if (_engine._histograms is { } histograms && _phases.Pbx.FirstOrDefault(m => m.Key == "answered") is { Key: not null } answered)
            {
                histograms.RecordAnswer(TimeSpan.FromMilliseconds(answered.Value));
            }

            return _phases.ToJson();
        }

        /// <summary>The call's observer, marking when the answer and <c>connected</c> were handed to it.</summary>
        private sealed class PhaseMarkingObserver(ICallObserver inner, Call call) : ICallObserver
        {
            public ValueTask OnTryingAsync(string callId)
            {
                call._phases.Mark("offer", TimeSpan.Zero);
                return inner.OnTryingAsync(callId);
            }

            public ValueTask OnRingingAsync() => inner.OnRingingAsync();

            public async ValueTask OnAnswerSdpAsync(string sdp)
            {
                await inner.OnAnswerSdpAsync(sdp);
                call._phases.Mark("answer_sent", call.Now);
            }

            public async ValueTask OnConnectedAsync()
            {
                call._phases.Mark("answered", call.Now);
                await inner.OnConnectedAsync();
                call._phases.Mark("connected_sent", call.Now);
            }

            public ValueTask OnEndedAsync(CallEndReason reason) => inner.OnEndedAsync(reason);

            public ValueTask OnQueuePositionAsync(int place) => inner.OnQueuePositionAsync(place);
        }
    }
}
