using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>
        /// The PBX itself answers the caller (a built-in service, a queue's music) with the answer SDP made for its media:
        /// a phone is connected now; a page is told connected once media flows, ours too when <paramref name="connectNeedsOutbound"/>.
        /// </summary>
        private async Task AnswerHereAsync(string answerSdp, LegAudioMode mode, bool connectNeedsOutbound)
        {
            _media.Caller!.SetMode(mode);
            await _observer.OnAnswerSdpAsync(answerSdp);
            _answeredAt = _engine._time.GetUtcNow();
            _phases.Mark("answered", Now);
            if (IsSipCaller)
            {
                await _observer.OnConnectedAsync();
            }
            else
            {
                _connectOnMedia = true;
                _connectNeedsOutbound = connectNeedsOutbound;
            }
        }

        /// <summary>The caller's media (held by <see cref="_media"/>) and our answer to its offer, or why there is none.</summary>
        private bool TryCreateCallerMedia(IReadOnlyList<SdpCodec> codecs, out string answerSdp, out CallEndReason failure)
        {
            if (_media.TryCreateCaller(_request, codecs, out answerSdp, out failure, out var refused))
            {
                return true;
            }

            if (refused is { } error)
            {
                LogLegRefused(_engine._log, CallId, error);
            }

            return false;
        }

        /// <summary>A built-in service answers at once, then the call lives until someone hangs up.</summary>
        private async Task<CallEnd?> RunServiceAsync(BuiltInService service)
        {
            // The echo reflects whatever codec the browser likes best; prompts and the DTMF test are G.711.
            IReadOnlyList<SdpCodec> codecs = service == BuiltInService.Echo && !IsSipCaller
                ? [SdpCodec.Opus, SdpCodec.Pcmu, SdpCodec.Pcma]
                : [SdpCodec.Pcmu, SdpCodec.Pcma];
            if (!TryCreateCallerMedia(codecs, out var answerSdp, out var failure))
            {
                return await SetUpFailedAsync(failure);
            }

            await AnswerHereAsync(answerSdp, service == BuiltInService.Echo ? LegAudioMode.Echo : LegAudioMode.Listen,
                connectNeedsOutbound: service == BuiltInService.Echo);

            var services = _engine._services;
            var limit = service == BuiltInService.DtmfTest && services.DtmfTestHangupAfter is { } after ? after : services.MaxServiceCallDuration;
            _deadlines.Set(CallDeadline.ServiceLimit, Now + limit);
            return service switch
            {
                BuiltInService.Ivr => await StartIvrAsync(),
                BuiltInService.QueueLogin or BuiltInService.QueueLogout => await LogAgentAsync(service == BuiltInService.QueueLogin),
                _ => EnterLive(),
            };
        }
    }
}
