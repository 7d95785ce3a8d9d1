using Microsoft.Extensions.Logging;
using Switchboard.Media.Dtls;
using Switchboard.Media.Phone;
using Switchboard.Media.Sdp;
using Switchboard.Media.Shards;
using Switchboard.Media.WebRtc;

namespace Switchboard.Pbx.Media;

/// <summary>
/// The PBX's media legs, WebRTC and plain RTP: the port pool, the DTLS certificate every leg shares, and
/// the shards that own them. A call takes one shard (<see cref="NextShard"/>) and makes all its legs on it,
/// so its relay never crosses threads.
/// </summary>
public sealed class WebRtcMedia
{
    private readonly MediaPortPool _ports;
    private readonly MediaShards _shards;
    private readonly ILogger<WebRtcLeg> _webRtcLog;
    private readonly ILogger<RtpLeg> _rtpLog;

    public WebRtcMedia(MediaPortPool ports, MediaShards shards, TimeProvider time, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        _ports = ports;
        _shards = shards;
        _webRtcLog = logs.CreateLogger<WebRtcLeg>();
        _rtpLog = logs.CreateLogger<RtpLeg>();
        Certificate = DtlsCertificate.GetProcessCertificate(time);
    }

    public DtlsCertificate Certificate { get; }

    public MediaShards Shards => _shards;

    /// <summary>The shard a new call's legs go to: the least loaded one.</summary>
    public MediaShard NextShard() => _shards.Next();

    public WebRtcLeg? TryCreateLeg(MediaShard shard, string offerSdp, IReadOnlyList<SdpCodec> codecPreferences, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error) =>
        WebRtcLeg.TryCreate(offerSdp, codecPreferences, _ports, Certificate, shard, _webRtcLog, onEvent, out error);

    /// <summary>A WebRTC leg that offers (the PBX calls a browser softphone); its answer comes later through <see cref="WebRtcLeg.ApplyAnswer"/>.</summary>
    public WebRtcLeg? TryCreateOfferLeg(MediaShard shard, IReadOnlyList<SdpCodec> codecs, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error) =>
        WebRtcLeg.TryCreateOffer(codecs, _ports, Certificate, shard, _webRtcLog, onEvent, out error);

    /// <summary>A plain RTP leg for a SIP phone, on a port of the same pool.</summary>
    public RtpLeg? TryCreatePhoneLeg(MediaShard shard, Action<RtpLegEvent> onEvent) =>
        RtpLeg.TryCreate(_ports, shard, _rtpLog, onEvent);

    /// <summary>One in-memory DTLS handshake, so the first caller does not pay for JIT and start-up (docs/media-dtls.md).</summary>
    public Task<TimeSpan> WarmUpAsync(CancellationToken ct) => DtlsWarmup.RunAsync(Certificate, ct);
}
