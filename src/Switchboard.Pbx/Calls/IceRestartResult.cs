using Switchboard.Media.WebRtc;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// The call's reply to the page's ICE-restart offer: our answer, or the code of why it was refused (the call
/// goes on as it was). Codes are the wire values of docs/signalling.md, "Network changes".
/// </summary>
public readonly record struct IceRestartResult(string? AnswerSdp, string? Refusal)
{
    public bool Accepted => AnswerSdp is not null;

    public static IceRestartResult Answered(string answerSdp) => new(answerSdp, null);

    public static IceRestartResult Refused(string code) => new(null, code);

    /// <summary>The call has no browser media to restart (not yet answered, or over).</summary>
    public static IceRestartResult NoMedia { get; } = Refused("no_media");

    /// <summary>Why the leg refused the offer, as its wire code.</summary>
    public static IceRestartResult From(WebRtcLegError error) => Refused(error switch
    {
        WebRtcLegError.NotAnIceRestart => "not_ice_restart",
        WebRtcLegError.FingerprintChanged => "fingerprint_changed",
        WebRtcLegError.CodecChanged => "codec_changed",
        WebRtcLegError.RestartNotSupported => "not_supported",
        _ => "bad_offer",
    });
}
