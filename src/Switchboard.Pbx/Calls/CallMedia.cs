using Switchboard.Media.Phone;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Media;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// Every media end one call owns, and the only place in the call engine that creates them (<see cref="WebRtcMedia"/>):
/// the caller's end, the offers made to ringing phones and browsers, and the callee's end, which is the offer whose
/// branch answered. It closes exactly what it created, each end once: the offers nobody took when a branch wins or
/// the ringing gives up (<see cref="ReleaseOffersAsync"/>), everything else when the call ends. Used on the call's own
/// loop only. Legs report their events tagged with the id of their end; <see cref="SideOf"/> tells the call whose it
/// is now (an offer nobody took, or an end already closed, is nobody's and its events are dropped).
/// </summary>
internal sealed class CallMedia : IAsyncDisposable
{
    private readonly WebRtcMedia _media;
    private readonly TimeSpan _rtpTimeout;
    private readonly Action<int, WebRtcLegEvent> _onWebEvent;
    private readonly Action<int, RtpLegEvent> _onPhoneEvent;
    private readonly List<Owned> _owned = [];
    private readonly Dictionary<CalleeBranch, Owned> _browserOffers = [];
    private readonly ulong _sdpSessionId = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
    private ulong _sdpVersion = 1;
    private Owned? _caller;
    private Owned? _callee;
    private Owned? _phoneOffer;

    /// <summary>The transferor's end while its transfer rings: still bridged to the other party's, nobody's side.</summary>
    private Owned? _transferor;

    /// <summary>The transferor is the calling side: its end was the caller's, and the callee's took its place (<see cref="CallerStepsAside"/>).</summary>
    private bool _transferorWasCaller;
    private int _lastId;

    public CallMedia(WebRtcMedia media, TimeSpan rtpTimeout, Action<int, WebRtcLegEvent> onWebEvent, Action<int, RtpLegEvent> onPhoneEvent)
    {
        _media = media;
        Shard = media.NextShard();
        _rtpTimeout = rtpTimeout;
        _onWebEvent = onWebEvent;
        _onPhoneEvent = onPhoneEvent;
    }

    /// <summary>The one shard every end of this call lives on, so relaying between them never crosses threads.</summary>
    public Switchboard.Media.Shards.MediaShard Shard { get; }

    public MediaEnd? Caller => _caller?.End;

    /// <summary>The answering branch's end, bridged to the caller's; null until a branch answered.</summary>
    public MediaEnd? Callee => _callee?.End;

    /// <summary>The caller's media and <paramref name="answerSdp"/>, our answer to its offer: a browser's WebRTC, or a phone's plain RTP.</summary>
    /// <param name="refused">Why the media engine gave no WebRTC leg, for the log.</param>
    public bool TryCreateCaller(CallRequest request, IReadOnlyList<SdpCodec> codecs, out string answerSdp, out CallEndReason failure, out WebRtcLegError? refused)
    {
        answerSdp = "";
        refused = null;
        failure = CallEndReason.BadOffer;
        var id = ++_lastId;
        if (request.Sip is null or { FromBrowser: true })
        {
            var leg = _media.TryCreateLeg(Shard, request.OfferSdp, codecs, e => _onWebEvent(id, e), out var error);
            if (leg is null)
            {
                refused = error;
                failure = error == WebRtcLegError.NoPort ? CallEndReason.Error : CallEndReason.BadOffer;
                return false;
            }

            leg.Start();
            _caller = Own(id, new WebRtcEnd(leg));
            answerSdp = leg.AnswerSdp!;
            return true;
        }

        if (!SdpParser.TryParse(request.OfferSdp, out var offer, out _))
        {
            return false;
        }

        var phone = _media.TryCreatePhoneLeg(Shard, e => _onPhoneEvent(id, e));
        if (phone is null)
        {
            failure = CallEndReason.Error;
            return false;
        }

        // Owned before anything can fail, so the leg is closed with the call whatever happens next.
        var owned = Own(id, new PhoneEnd(phone, EmptyAudio(new SdpPayloadFormat(0, SdpCodec.Pcmu))));
        if (!SipSdp.TryCreateAnswer(offer, AnswerOptions(phone, codecs), out var answer, out _) || !SipMediaSdp.TryReadOffer(offer, answer, out var remote))
        {
            return false;
        }

        var end = (PhoneEnd)owned.End;
        end.Update(remote.Rtp, answer.Audio);
        phone.MediaTimeout = _rtpTimeout;
        phone.Start();
        _caller = owned;
        answerSdp = answer.ToText();
        return true;
    }

    /// <summary>
    /// Our offer to a branch, with the caller's codec only (the relay never transcodes): a browser softphone gets a
    /// WebRTC leg of its own; every phone and trunk branch shares one RTP leg, to which only the winner's answer is applied.
    /// </summary>
    public string? TryOffer(CalleeBranch branch, SdpPayloadFormat codec, out WebRtcLegError? refused)
    {
        refused = null;
        if (branch.IsWebRtc)
        {
            var id = ++_lastId;
            var leg = _media.TryCreateOfferLeg(Shard, [codec.Codec], e => _onWebEvent(id, e), out var error);
            if (leg is null)
            {
                refused = error;
                return null;
            }

            leg.AudioMode = LegAudioMode.Listen;
            leg.Start();
            _browserOffers[branch] = Own(id, new WebRtcEnd(leg));
            return leg.OfferSdp;
        }

        if (_phoneOffer is null)
        {
            var id = ++_lastId;
            var leg = _media.TryCreatePhoneLeg(Shard, e => _onPhoneEvent(id, e));
            if (leg is null)
            {
                return null;
            }

            leg.AudioMode = LegAudioMode.Listen;
            leg.MediaTimeout = _rtpTimeout;
            leg.Start();
            _phoneOffer = Own(id, new PhoneEnd(leg, EmptyAudio(codec)));
        }

        var rtp = ((PhoneEnd)_phoneOffer.End).Leg;
        return SdpWriter.Write(SipMediaSdp.CreateOffer(rtp.AdvertisedAddress, rtp.LocalPort, [codec.Codec], _sdpSessionId, _sdpVersion));
    }

    /// <summary>
    /// The branch's 2xx answer applied to the offer it got: that end becomes the callee's, bridged both ways to the
    /// caller's. False when the answer is unusable (the call then ends that dialog, RFC 3261 section 13.2.2.4).
    /// </summary>
    public bool TryAnswer(CalleeBranch branch, string answerSdp)
    {
        Owned? callee = null;
        if (_browserOffers.TryGetValue(branch, out var browser))
        {
            callee = ((WebRtcEnd)browser.End).Leg.ApplyAnswer(answerSdp, out _) ? browser : null;
        }
        else if (_phoneOffer is { End: PhoneEnd phone } && SdpParser.TryParse(answerSdp, out var answer, out _) &&
                 SipMediaSdp.TryReadAnswer(answer, [phone.Audio.Codec.Codec], out var remote))
        {
            phone.Update(remote.Rtp, remote.Audio);
            callee = _phoneOffer;
        }

        if (callee is null || _caller is null)
        {
            return false;
        }

        _callee = callee;
        _caller.End.RelayTo(callee.End);
        callee.End.RelayTo(_caller.End);
        return true;
    }

    /// <summary>Closes every offer no branch took (all of them while nobody answered): after an answer, or before a ring group's fallback.</summary>
    public async ValueTask ReleaseOffersAsync()
    {
        foreach (var offer in _owned.Where(o => !ReferenceEquals(o, _caller) && !ReferenceEquals(o, _callee)).ToList())
        {
            _owned.Remove(offer);
            await offer.End.DisposeAsync();
        }

        _browserOffers.Clear();
        _transferor = null;
        _transferorWasCaller = false;
        _phoneOffer = ReferenceEquals(_phoneOffer, _callee) ? _phoneOffer : null;
    }

    /// <summary>
    /// A blind transfer rings its target: the callee's end steps aside (the caller still hears it, its events are
    /// nobody's) and the next phone branch gets an RTP leg of its own. The target's answer replaces it as the callee's,
    /// and <see cref="ReleaseOffersAsync"/> closes it.
    /// </summary>
    public void DetachCallee()
    {
        _transferor = _callee;
        _callee = null;
        if (ReferenceEquals(_phoneOffer, _transferor))
        {
            _phoneOffer = null;
        }
    }

    /// <summary>
    /// The calling side transfers (CallCore.TransferByCaller.cs): the callee's end takes the caller's place, still bridged
    /// both ways to the caller's, which steps aside as the transferor's. The next phone branch gets an RTP leg of its own
    /// (the callee's leg is no offer any more), the target's answer bridges it to the new caller's end, and
    /// <see cref="ReleaseOffersAsync"/> then closes the transferor's.
    /// </summary>
    public void CallerStepsAside()
    {
        _transferor = _caller;
        _transferorWasCaller = true;
        _caller = _callee;
        _callee = null;
        if (ReferenceEquals(_phoneOffer, _caller))
        {
            _phoneOffer = null;
        }
    }

    /// <summary>The transfer failed: the transferor's end is on its side again (the callee's, or the caller's), still bridged both ways.</summary>
    public void ReattachCallee()
    {
        if (_transferor is null)
        {
            return;
        }

        if (_transferorWasCaller)
        {
            _callee = _caller;
            _caller = _transferor;
        }
        else
        {
            _callee = _transferor;
        }

        _transferor = null;
        _transferorWasCaller = false;
    }

    /// <summary>The end on <paramref name="side"/> now: the caller's, the callee's, or none (the PBX's side).</summary>
    public MediaEnd? EndOf(CallSide side) => side switch
    {
        CallSide.Caller => Caller,
        CallSide.Callee => Callee,
        _ => null,
    };

    /// <summary>Whose end the one with this id is now: the caller's, the callee's, or nobody's (null).</summary>
    public CallSide? SideOf(int id) =>
        _caller?.Id == id ? CallSide.Caller : _callee?.Id == id ? CallSide.Callee : null;

    /// <summary>
    /// What our end on <paramref name="side"/> answers a phone's re-INVITE with (RFC 3264 section 8): the same address,
    /// port and codec, and the next session version; null for a browser's end (the call answers 488, RFC 3261 section 14.2).
    /// </summary>
    public SipAnswerOptions? ReinviteTerms(CallSide side) =>
        EndOf(side) is PhoneEnd phone
            ? AnswerOptions(phone.Leg, [phone.Audio.Codec.Codec]) with { SessionVersion = _sdpVersion + 1 }
            : null;

    /// <summary>The answered re-INVITE's address and terms applied to that side's phone end; our answer carried <paramref name="sessionVersion"/>.</summary>
    public void ApplyReinvite(CallSide side, System.Net.IPEndPoint remote, SdpNegotiatedAudio audio, ulong sessionVersion)
    {
        if ((side == CallSide.Caller ? Caller : Callee) is PhoneEnd phone)
        {
            _sdpVersion = sessionVersion;
            phone.Update(remote, audio);
        }
    }

    /// <summary>Closes every end the call still owns, each once.</summary>
    public async ValueTask DisposeAsync()
    {
        var owned = _owned.ToList();
        _owned.Clear();
        _browserOffers.Clear();
        _caller = _callee = _phoneOffer = _transferor = null;
        foreach (var end in owned)
        {
            await end.End.DisposeAsync();
        }
    }

    private Owned Own(int id, MediaEnd end)
    {
        var owned = new Owned(id, end);
        _owned.Add(owned);
        return owned;
    }

    private SipAnswerOptions AnswerOptions(RtpLeg leg, IReadOnlyList<SdpCodec> codecs) => new()
    {
        Address = leg.AdvertisedAddress,
        Port = leg.LocalPort,
        SessionId = _sdpSessionId,
        SessionVersion = _sdpVersion,
        Codecs = codecs,
    };

    /// <summary>What an RTP leg agreed before any answer: the codec we offer, nothing else yet.</summary>
    private static SdpNegotiatedAudio EmptyAudio(SdpPayloadFormat codec) =>
        new(null, codec, null, SdpDirection.SendRecv, null, 0, null, null, [], null);

    /// <summary>An end with the id its leg's events carry.</summary>
    private sealed record Owned(int Id, MediaEnd End);
}
