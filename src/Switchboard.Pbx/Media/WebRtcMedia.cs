using Microsoft.Extensions.Logging;
using Switchboard.Media.Dtls;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Pbx.Media;

/// <summary>The PBX's WebRTC media: the port pool and the DTLS certificate every leg shares.</summary>
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

    /// <summary>A leg that offers WebRTC audio to a browser softphone; its answer goes to <see cref="WebRtcLeg.ApplyAnswer"/>.</summary>
    public WebRtcLeg? TryCreateOfferLeg(IReadOnlyList<SdpCodec> codecs, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error) =>
        WebRtcLeg.TryCreateOffer(codecs, _ports, Certificate, _time, _logs.CreateLogger<WebRtcLeg>(), onEvent, out error);

    /// <summary>One in-memory DTLS handshake, so the first caller does not pay for JIT and start-up (docs/media-dtls.md).</summary>
    public Task<TimeSpan> WarmUpAsync(CancellationToken ct) => DtlsWarmup.RunAsync(Certificate, ct);
}
