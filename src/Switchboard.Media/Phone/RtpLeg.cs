using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Playback;
using Switchboard.Media.Relay;
using Switchboard.Media.Sdp;
using Switchboard.Media.Shards;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Phone;

/// <summary>
/// An <see cref="RtpSession"/> on one port of the pool, owned by one media shard: the socket adapter.
/// The shard hands it datagrams and polls it at its deadlines; the other leg of its call lives on the
/// same shard, so <see cref="OnRelayedRtp"/> is a function call on that thread (docs/media.md, "Call
/// shards"). The control calls are the session's, safe from any thread.
/// </summary>
public sealed class RtpLeg : IRtpSink, IRtpSender, IAsyncDisposable, IShardMember
{
    private readonly IMediaSocket _socket;
    private readonly MediaPortPool _ports;
    private readonly MediaShard _shard;
    private ShardSlot? _slot;
    private bool _closed;

    private RtpLeg(IMediaSocket socket, MediaPortPool ports, MediaShard shard, IPAddress advertised, ILogger log, Action<RtpLegEvent> onEvent)
    {
        _socket = socket;
        _ports = ports;
        _shard = shard;
        AdvertisedAddress = advertised;
        Session = new RtpSession(this, socket.AddressFamily, socket.LocalEndPoint.Port, log, onEvent, shard.Scratch) { WallClock = shard.Time };
        Session.WakeRequested += Wake;
    }

    public RtpSession Session { get; }

    public int LocalPort => _socket.LocalEndPoint.Port;

    /// <summary>The address to write in our SDP (c=).</summary>
    public IPAddress AdvertisedAddress { get; }

    /// <summary>The shard that owns this leg; the other leg of the call must live on it too.</summary>
    public MediaShard Shard => _shard;

    public uint LocalSsrc => Session.LocalSsrc;

    public LegAudioMode AudioMode
    {
        get => Session.AudioMode;
        set => Session.AudioMode = value;
    }

    public IRtpSink? RelayTo
    {
        get => Session.RelayTo;
        set => Session.RelayTo = value;
    }

    /// <summary>Set before <see cref="Start"/>.</summary>
    public TimeSpan MediaTimeout
    {
        get => Session.MediaTimeout;
        set => Session.MediaTimeout = value;
    }

    public RtpLegCounters Counters => Session.Counters;

    public IPEndPoint? RemoteEndPoint => Session.RemoteEndPoint;

    public SdpNegotiatedAudio? Audio => Session.Audio;

    public bool IsPlaying => Session.IsPlaying;

    /// <summary>A leg on a port of the pool, owned by <paramref name="shard"/>; null when every port is taken. Not yet running: <see cref="SetRemote"/>, then <see cref="Start"/>.</summary>
    public static RtpLeg? TryCreate(MediaPortPool ports, MediaShard shard, ILogger log, Action<RtpLegEvent> onEvent)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(onEvent);
        return ports.Rent() is { } socket ? new RtpLeg(socket, ports, shard, ports.Options.Advertised, log, onEvent) : null;
    }

    public void SetRemote(IPEndPoint rtpEndPoint, SdpNegotiatedAudio audio) => Session.SetRemote(rtpEndPoint, audio);

    public bool Play(Prompt prompt, bool loop = false) => Session.Play(prompt, loop);

    public void StopPlayback() => Session.StopPlayback();

    public bool SendDtmf(char digit, TimeSpan duration) => Session.SendDtmf(digit, duration);

    /// <summary>Puts the leg's socket into its shard's poller; from then on the shard owns it.</summary>
    public void Start() => _shard.Run(() =>
    {
        if (!_closed)
        {
            _slot = _shard.Register(this, _socket);
        }
    });

    /// <summary>Closes the leg on its shard and gives its socket back to the pool; completes when no packet can reach it any more.</summary>
    public ValueTask DisposeAsync() => new(_shard.InvokeAsync(() =>
    {
        if (!_closed)
        {
            _closed = true;
            if (_slot is { } slot)
            {
                _shard.Unregister(slot);
            }

            _ports.Return(_socket);
        }

        return Task.CompletedTask;
    }));

    /// <summary>From the other leg of the call, on this shard.</summary>
    public void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind, TimeSpan now) => Session.OnRelayedRtp(rtp, kind, now);

    bool IRtpSender.Send(ReadOnlySpan<byte> packet, SocketAddress destination) => !_closed && _socket.Send(packet, destination);

    void IShardMember.OnDatagram(Span<byte> datagram, SocketAddress source, TimeSpan now) => Session.HandleDatagram(datagram, source, now);

    TimeSpan IShardMember.Poll(TimeSpan now) => Session.Poll(now);

    /// <summary>A hand-off from another thread is waiting: poll on the shard.</summary>
    private void Wake()
    {
        if (_slot is { } slot)
        {
            _shard.RequestPoll(slot);
        }
    }
}
