using Microsoft.Extensions.Logging;
using Switchboard.Media.Dtls;
using Switchboard.Media.Phone;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Pbx.Media;

/// <summary>The PBX's media legs, WebRTC and plain RTP: the port pool and the DTLS certificate every leg shares.</summary>
public sealed class WebRtcMedia
{
    private readonly MediaPortPool _ports;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _logs;

    public WebRtcMedia(MediaPortPool ports, TimeProvider time, ILoggerFactory logs)
    {
        _ports = ports;
        _time = time;
        _logs = logs;
        Certificate = DtlsCertificate.GetProcessCertificate(time);
    }

    public DtlsCertificate Certificate { get; }

    public WebRtcLeg? TryCreateLeg(string offerSdp, IReadOnlyList<SdpCodec> codecPreferences, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error) =>
        WebRtcLeg.TryCreate(offerSdp, codecPreferences, _ports, Certificate, _time, _logs.CreateLogger<WebRtcLeg>(), onEvent, out error);

    /// <summary>A WebRTC leg that offers (the PBX calls a browser softphone); its answer comes later through <see cref="WebRtcLeg.ApplyAnswer"/>.</summary>
    public WebRtcLeg? TryCreateOfferLeg(IReadOnlyList<SdpCodec> codecs, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error) =>
        WebRtcLeg.TryCreateOffer(codecs, _ports, Certificate, _time, _logs.CreateLogger<WebRtcLeg>(), onEvent, out error);

    /// <summary>A plain RTP leg for a SIP phone, on a port of the same pool.</summary>
    public RtpLeg? TryCreatePhoneLeg(Action<RtpLegEvent> onEvent) =>
        RtpLeg.TryCreate(_ports, _time, _logs.CreateLogger<RtpLeg>(), onEvent);

    /// <summary>One in-memory DTLS handshake, so the first caller does not pay for JIT and start-up (docs/media-dtls.md).</summary>
    public Task<TimeSpan> WarmUpAsync(CancellationToken ct) => DtlsWarmup.RunAsync(Certificate, ct);
}
