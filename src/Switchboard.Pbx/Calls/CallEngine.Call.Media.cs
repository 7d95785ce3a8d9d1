using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        private ulong _sdpVersion = 1;

        /// <summary>The caller's media and our answer to its offer, or why there is none.</summary>
        private async Task<(MediaEnd? End, string? AnswerSdp, CallEndReason Failure)> CreateCallerMediaAsync(IReadOnlyList<SdpCodec> codecs)
        {
            if (!IsSipCaller)
            {
                var leg = _engine._media.TryCreateLeg(_request.OfferSdp, codecs, e => Post(new Input(InputKind.WebLeg, LegEvent: e)), out var error);
                if (leg is null)
                {
                    LogLegRefused(_engine._log, CallId, error);
                    return (null, null, error == WebRtcLegError.NoPort ? CallEndReason.Error : CallEndReason.BadOffer);
                }

                leg.Start();
                return (new WebRtcEnd(leg), leg.AnswerSdp, CallEndReason.Error);
            }

            if (!SdpParser.TryParse(_request.OfferSdp, out var offer, out _))
            {
                return (null, null, CallEndReason.BadOffer);
            }

            var phone = _engine._media.TryCreatePhoneLeg(e => Post(new Input(InputKind.PhoneLeg, PhoneEvent: e)));
            if (phone is null)
            {
                return (null, null, CallEndReason.Error);
            }

            if (!SipSdp.TryCreateAnswer(offer, new SipAnswerOptions
                {
                    Address = phone.AdvertisedAddress,
                    Port = phone.LocalPort,
                    SessionId = _sdpSessionId,
                    SessionVersion = _sdpVersion,
                    Codecs = codecs,
                }, out var answer, out _) || !SipMediaSdp.TryReadOffer(offer, answer, out var remote))
            {
                await phone.DisposeAsync();
                return (null, null, CallEndReason.BadOffer);
            }

            var end = new PhoneEnd(phone, answer.Audio);
            phone.SetRemote(remote.Rtp, answer.Audio);
            phone.MediaTimeout = _engine._options.RtpTimeout;
            phone.Start();
            return (end, answer.ToText(), CallEndReason.Error);
        }

        private readonly ulong _sdpSessionId = (ulong)Random.Shared.NextInt64(1, long.MaxValue);

        /// <summary>A built-in service answers at once, then the call lives until someone hangs up.</summary>
        private async Task<CallEnd> RunServiceAsync(BuiltInService service)
        {
            // The echo reflects whatever codec the browser likes best; the DTMF test uses G.711 (spec 2.7 example).
            // The echo reflects whatever codec the browser likes best; prompts and the DTMF test are G.711.
            IReadOnlyList<SdpCodec> codecs = service == BuiltInService.Echo && !IsSipCaller
                ? [SdpCodec.Opus, SdpCodec.Pcmu, SdpCodec.Pcma]
                : [SdpCodec.Pcmu, SdpCodec.Pcma];
            var (media, answerSdp, failure) = await CreateCallerMediaAsync(codecs);
            if (media is null)
            {
                return new CallEnd(failure, CallSide.Pbx);
            }

            _callerMedia = media;
            media.SetMode(service == BuiltInService.Echo ? LegAudioMode.Echo : LegAudioMode.Listen);
            await _observer.OnAnswerSdpAsync(answerSdp!);
            _answeredAt = _engine._time.GetUtcNow();
            await _observer.OnConnectedAsync();

            var services = _engine._services;
            using var hangup = new CancellationTokenSource(services.MaxServiceCallDuration, _engine._time);
            if (service == BuiltInService.DtmfTest && services.DtmfTestHangupAfter is { } after)
            {
                hangup.CancelAfter(after);
            }

            using var registration = hangup.Token.Register(() => Post(new Input(InputKind.ServiceHangup)));
            return service == BuiltInService.Ivr ? await RunIvrAsync() : await LiveAsync();
        }
    }
}
