using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Dtls;
using Switchboard.Media.Sdp;
using Switchboard.Media.Shards;
using Switchboard.Media.Stun;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// A <see cref="WebRtcSession"/> on its own port, owned by one media shard: the shard's loop hands it
/// datagrams and polls it at its deadlines, and every call into the session happens on that thread,
/// so the session (SRTP contexts, sequence counter, RTCP scheduler) needs no lock. Control calls from
/// other threads are posted to the shard. No allocation per datagram.
/// </summary>
public sealed partial class WebRtcLeg : IDatagramSender, IAsyncDisposable, IShardMember
{
    private readonly IMediaSocket _socket;
    private readonly MediaPortPool _ports;
    private readonly MediaShard _shard;
    private readonly ILogger _log;
    private WebRtcSession _session = null!;
    private ShardSlot? _slot;
    private TransportAddress _lastTo;
    private SocketAddress? _lastToSocketAddress;
    private bool _closed;

    private WebRtcLeg(IMediaSocket socket, MediaPortPool ports, MediaShard shard, ILogger log)
    {
        _socket = socket;
        _ports = ports;
        _shard = shard;
        _log = log;
    }

    public WebRtcSession Session => _session;

    public string AnswerSdp => _session.AnswerSdp;

    public SdpNegotiatedAudio Audio => _session.Audio;

    public int LocalPort => _socket.LocalEndPoint.Port;

    /// <summary>The shard that owns this leg; the other leg of the call must live on it too.</summary>
    public MediaShard Shard => _shard;

    /// <summary>Listen, Echo or Relay. May be set from any thread (applied on the shard).</summary>
    public LegAudioMode AudioMode
    {
        get => _session.AudioMode;
        set => _shard.Run(() => _session.AudioMode = value);
    }

    /// <summary>Answers a browser's offer on a port of the pool, owned by <paramref name="shard"/>. Not yet running: call <see cref="Start"/>.</summary>
    public static WebRtcLeg? TryCreate(string offerSdp, IReadOnlyList<SdpCodec> codecPreferences, MediaPortPool ports, DtlsCertificate certificate,
        MediaShard shard, ILogger log, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error) =>
        Open(codecPreferences, ports, certificate, shard, log,
            (WebRtcSessionOptions options, WebRtcLeg leg, out WebRtcLegError sessionError) => WebRtcSession.TryCreate(offerSdp, options, leg, onEvent, out sessionError),
            out error);

    /// <summary>Rents a port, makes the session on it with <paramref name="create"/>, and gives the port back if that fails.</summary>
    private static WebRtcLeg? Open(IReadOnlyList<SdpCodec> codecPreferences, MediaPortPool ports, DtlsCertificate certificate,
        MediaShard shard, ILogger log, CreateSession create, out WebRtcLegError error)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(shard);
        var socket = ports.Rent();
        if (socket is null)
        {
            error = WebRtcLegError.NoPort;
            return null;
        }

        var leg = new WebRtcLeg(socket, ports, shard, log);
        var session = create(new WebRtcSessionOptions
        {
            AdvertisedAddress = ports.Options.Advertised,
            Port = leg.LocalPort,
            Certificate = certificate,
            CodecPreferences = codecPreferences,
            Now = shard.Now,
            Ice = ports.Options.Ice,
            DtlsHandshakeTimeout = ports.Options.DtlsHandshakeTimeout,
            Time = shard.Time,
            Logger = log,
            Scratch = shard.Scratch,
        }, leg, out error);
        if (session is null)
        {
            ports.Return(socket);
            return null;
        }

        leg._session = session;
        session.WakeRequested += leg.Wake;
        return leg;
    }

    /// <summary>Starts the session on its shard: the socket joins the shard's poller, the DTLS server waits for the browser.</summary>
    public void Start() => _shard.Run(() =>
    {
        if (!_closed)
        {
            _session.Start();
            _slot = _shard.Register(this, _socket);
        }
    });

    /// <summary>Called on the shard only (the session's sends); caches the socket form of the last peer.</summary>
    public void Send(ReadOnlySpan<byte> datagram, TransportAddress destination)
    {
        if (_closed)
        {
            return;
        }

        if (_lastToSocketAddress is null || _lastTo != destination)
        {
            _lastTo = destination;
            _lastToSocketAddress = destination.ToIPEndPoint().Serialize();
        }

        _socket.Send(datagram, _lastToSocketAddress);
    }

    /// <summary>Sends close_notify when connected, then gives the socket back to the pool, on the shard; completes when the DTLS engine has let go too.</summary>
    public ValueTask DisposeAsync() => new(_shard.InvokeAsync(DisposeOnShardAsync));

    private async Task DisposeOnShardAsync()
    {
        if (_closed)
        {
            return;
        }

        if (_slot is { } slot)
        {
            _shard.Unregister(slot);
        }

        // The session's synchronous part sends close_notify while the socket is still open.
        var session = _session.DisposeAsync();
        // Closed first: nothing of this leg sends on the socket once another leg may hold it.
        _closed = true;
        _ports.Return(_socket);
        await session;
    }

    void IShardMember.OnDatagram(Span<byte> datagram, SocketAddress source, TimeSpan now)
    {
        if (TransportAddress.TryFromSocketAddress(source, out var from))
        {
            _session.HandleDatagram(datagram, from, now);
        }
    }

    TimeSpan IShardMember.Poll(TimeSpan now) => _session.Poll(now);

    /// <summary>A hand-off from another thread (DTLS result, posted answer): poll on the shard.</summary>
    private void Wake()
    {
        if (_slot is { } slot)
        {
            _shard.RequestPoll(slot);
        }
        else
        {
            _shard.Post(() =>
            {
                if (_slot is { } started)
                {
                    _shard.RequestPoll(started);
                }
            });
        }
    }

    private delegate WebRtcSession? CreateSession(WebRtcSessionOptions options, WebRtcLeg leg, out WebRtcLegError error);
}
