using Switchboard.Media.WebRtc;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>Through the mailbox, so the restart happens on the call's loop, which runs on its legs' shard.</summary>
        public Task<IceRestartResult> RestartIceAsync(string offerSdp)
        {
            var reply = new TaskCompletionSource<IceRestartResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_mailbox.Writer.TryWrite(new Input(InputKind.CallerIceRestart, OfferSdp: offerSdp, Reply: reply)))
            {
                reply.TrySetResult(IceRestartResult.NoMedia);
            }

            return reply.Task;
        }

        /// <summary>
        /// The browser's network changed and it restarts ICE (RFC 8445 section 9): its leg answers with new
        /// credentials and moves media to the next nominated pair. The call's state, the relay and the record
        /// are untouched; a refused offer changes nothing.
        /// </summary>
        private IceRestartResult RestartCallerIce(string offerSdp)
        {
            if (_media.Caller is not WebRtcEnd caller)
            {
                return IceRestartResult.NoMedia;
            }

            if (!caller.Leg.TryRestartIce(offerSdp, out var answerSdp, out var error))
            {
                LogIceRestartRefused(_engine._log, CallId, error);
                return IceRestartResult.From(error);
            }

            LogIceRestarted(_engine._log, CallId);
            return IceRestartResult.Answered(answerSdp);
        }

        /// <summary>Restart requests still in the mailbox when the call ends get their answer: there is no media any more.</summary>
        private void RefusePendingRestarts()
        {
            while (_mailbox.Reader.TryRead(out var input))
            {
                input.Reply?.TrySetResult(IceRestartResult.NoMedia);
            }
        }
    }
}
