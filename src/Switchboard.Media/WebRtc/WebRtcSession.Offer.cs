using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Dtls;
using Switchboard.Media.Ice;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// Offerer mode: the PBX calls a browser softphone (JsSIP over SIP-over-WebSocket), so the INVITE
/// carries our offer and the browser's answer comes back in the 200. We stay ICE-lite and the DTLS
/// server. The browser starts checks and its DTLS handshake as soon as it has set our offer and its
/// answer, which can be before its 200 reaches us: checks are answered without the remote ufrag
/// (a lite agent validates them with its own password, RFC 8445 section 7.3), and the DTLS server
/// holds the client certificate check until the answer brings the fingerprint (RFC 5763 section 5).
/// </summary>
public sealed partial class WebRtcSession
{
    private DtlsLateFingerprints? _lateFingerprints;
    private IReadOnlyList<SdpPayloadFormat>? _offeredFormats;
    private AcceptedAnswer? _postedAnswer;
    private SdpNegotiatedAudio? _acceptedAudio;
    private int _answerAccepted;
    private bool _startRequested;
    private bool _dtlsStarted;
    private bool _browserActive;

    /// <summary>True when this session made the offer (<see cref="CreateOffer"/>).</summary>
    public bool IsOfferer => _offeredFormats is not null;

    /// <summary>Our SDP offer for the browser (offerer mode).</summary>
    public string OfferSdp => IsOfferer ? LocalSdp : throw new InvalidOperationException("This session answered an offer; see AnswerSdp.");

    /// <summary>True once <see cref="Audio"/> is known: at once for an answerer, once the answer is accepted for an offerer.</summary>
    public bool IsNegotiated => _audio is not null || Volatile.Read(ref _acceptedAudio) is not null;

    /// <summary>
    /// Offers WebRTC audio to a browser: <see cref="OfferSdp"/> has the codecs of
    /// <see cref="WebRtcSessionOptions.CodecPreferences"/> in order plus telephone-event, our ICE-lite
    /// credentials and host candidate, our fingerprint and <c>a=setup:actpass</c>. Then
    /// <see cref="ApplyAnswer"/> or <see cref="PostAnswer"/> with the browser's answer. The ICE connect
    /// timeout and the DTLS handshake deadline start when the browser shows up (its first check or its
    /// answer), not while it rings.
    /// </summary>
    public static WebRtcSession CreateOffer(WebRtcSessionOptions options, IDatagramSender sender, Action<WebRtcLegEvent> onEvent)
    {
        ArgumentNullException.ThrowIfNull(options);
        var credentials = IceCredentials.Generate();
        var local = DescribeLocal(options, credentials);
        var formats = WebRtcOffer.FormatsFor(options.CodecPreferences);
        var offer = WebRtcOffer.Create(new WebRtcOfferOptions(local, formats));
        var ice = new IceLiteAgent(credentials, options.Now, options.Ice, options.Logger);
        ice.HoldConnectTimeout();
        var late = new DtlsLateFingerprints();
        var dtls = CreateDtlsServer(options, [], late);
        return new WebRtcSession(ice, dtls, audio: null, SdpWriter.Write(offer), local.Ssrc!.Value, sender, options.Scratch, options.Logger, onEvent)
        {
            _wallClock = options.Time,
            _lateFingerprints = late,
            _offeredFormats = formats,
            _offeredWith = local,
        };
    }

    /// <summary>
    /// The owner applies the browser's answer now (at the time of its last <see cref="HandleDatagram"/>
    /// or <see cref="Poll"/>). False with the reason when the answer is unusable, is not
    /// <c>a=setup:active</c> (the PBX is only ever the DTLS server), or a second one.
    /// </summary>
    public bool ApplyAnswer(string answerSdp, out WebRtcLegError error)
    {
        if (!TryAcceptAnswer(answerSdp, out AcceptedAnswer? answer, out error))
        {
            return false;
        }

        Apply(answer);
        return true;
    }

    /// <summary>
    /// From any thread (the call's loop): checks the answer as <see cref="ApplyAnswer"/> does, hands it
    /// over atomically and raises <see cref="WakeRequested"/>; the owner applies it at its next
    /// <see cref="HandleDatagram"/> or <see cref="Poll"/>.
    /// </summary>
    public bool PostAnswer(string answerSdp, out WebRtcLegError error)
    {
        if (!TryAcceptAnswer(answerSdp, out AcceptedAnswer? answer, out error))
        {
            return false;
        }

        // Readable through Audio at once, by the poster: the same terms the owner is about to apply.
        Volatile.Write(ref _acceptedAudio, answer.Audio);
        Volatile.Write(ref _postedAnswer, answer);
        WakeRequested?.Invoke();
        return true;
    }

    /// <summary>Pure checks plus the one-answer claim; safe from any thread (the offered formats never change).</summary>
    private bool TryAcceptAnswer(string answerSdp, [NotNullWhen(true)] out AcceptedAnswer? answer, out WebRtcLegError error)
    {
        if (_offeredFormats is not { } offered)
        {
            throw new InvalidOperationException("Only a session created with CreateOffer takes an answer.");
        }

        answer = null;
        if (!SdpParser.TryParse(answerSdp, out var description, out _))
        {
            error = WebRtcLegError.UnreadableAnswer;
            return false;
        }

        if (!WebRtcOffer.TryReadAnswer(description, offered, out var audio, out var sdpError) ||
            !TryRemoteFingerprints(audio, out var fingerprints) ||
            !IceCredentials.TryCreate(audio.RemoteIceUfrag, audio.RemoteIcePwd, out _))
        {
            LogAnswerRefused(_log, sdpError);
            error = sdpError == SdpOfferError.UnsupportedSetup ? WebRtcLegError.AnswerSetupNotActive : WebRtcLegError.UnusableAnswer;
            return false;
        }

        if (Interlocked.Exchange(ref _answerAccepted, 1) != 0)
        {
            error = WebRtcLegError.AnswerAlreadyApplied;
            return false;
        }

        answer = new AcceptedAnswer(audio, fingerprints);
        error = WebRtcLegError.None;
        return true;
    }

    private void TakePostedAnswer()
    {
        if (Volatile.Read(ref _postedAnswer) is not null && Interlocked.Exchange(ref _postedAnswer, null) is { } answer)
        {
            Apply(answer);
        }
    }

    /// <summary>Owner only. Audio first: the DTLS worker can finish (and hand keys over) as soon as the fingerprints are set.</summary>
    private void Apply(AcceptedAnswer answer)
    {
        _audio = answer.Audio;
        _ice.TrySetRemoteCredentials(answer.Audio.RemoteIceUfrag, answer.Audio.RemoteIcePwd);
        _ice.RestartConnectTimeout(_now);
        _lateFingerprints!.TrySet(answer.Fingerprints);
        LogAnswerApplied(_log, answer.Audio.Codec.PayloadType);
        OnBrowserActive();
    }

    /// <summary>The browser checks us or answered: from now on its DTLS handshake may come.</summary>
    private void OnBrowserActive()
    {
        _browserActive = true;
        StartDtlsUnlessDeferred();
    }

    /// <summary>An answerer starts DTLS with <see cref="Start"/>; an offerer waits for the browser, so the handshake deadline does not run out while it rings.</summary>
    private void StartDtlsUnlessDeferred()
    {
        if (_startRequested && !_dtlsStarted && (!IsOfferer || _browserActive))
        {
            _dtlsStarted = true;
            _dtls.Start();
        }
    }

    private sealed record AcceptedAnswer(SdpNegotiatedAudio Audio, List<DtlsFingerprint> Fingerprints);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "WebRTC session: answer refused ({Reason})")]
    private static partial void LogAnswerRefused(ILogger logger, SdpOfferError reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "WebRTC session: answer applied, payload type {PayloadType}")]
    private static partial void LogAnswerApplied(ILogger logger, int payloadType);
}
