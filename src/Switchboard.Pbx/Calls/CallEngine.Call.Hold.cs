using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Queues;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>
        /// The core's <see cref="CallOutput.AnswerWebReoffer"/>: the browser's session answers a re-offer that changes only
        /// the direction (phone.htm's hold and resume); anything more (an ICE restart, another fingerprint) is refused.
        /// </summary>
        private CallInput.WebReofferAnswered AnswerWebReoffer(CallSide side, string offerSdp)
        {
            if (_media.EndOf(side) is WebRtcEnd web && web.Leg.TryAnswerReoffer(offerSdp, out var answer, out var offered, out var error))
            {
                return new CallInput.WebReofferAnswered(side, answer, offered);
            }

            LogReofferRefused(_engine._log, CallId);
            return new CallInput.WebReofferAnswered(side, null, SdpDirection.SendRecv);
        }

        /// <summary>
        /// The core's <see cref="CallOutput.HoldMusic"/>: while the other side holds, <paramref name="to"/> hears the hold
        /// music (its queue's, else the shipped <see cref="QueueDefinition.DefaultHoldMusic"/>) and the holder's audio
        /// stops reaching it; on resume the music stops and the holder is relayed again. A missing file or an Opus leg
        /// leaves silence, as a hold did before.
        /// </summary>
        private void HoldMusic(CallSide to, bool play)
        {
            var listener = _media.EndOf(to);
            var holder = _media.EndOf(to == CallSide.Caller ? CallSide.Callee : CallSide.Caller);
            if (listener is null || holder is null)
            {
                return;
            }

            if (!play)
            {
                listener.StopPlayback();
                holder.RelayTo(listener);
                return;
            }

            holder.SetMode(LegAudioMode.Listen);
            if (_engine._ivr.TryGetPrompt(_queue?.HoldMusic ?? QueueDefinition.DefaultHoldMusic, out var music))
            {
                listener.Play(music, loop: true);
            }
        }
    }
}
