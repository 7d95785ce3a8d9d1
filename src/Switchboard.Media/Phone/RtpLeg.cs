using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Relay;
using Switchboard.Media.Shards;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Phone;

/// <summary>
/// Plain RTP/AVP for a SIP phone on one port of the pool, RTCP multiplexed (RFC 5761). The leg lives
/// on one media shard (its socket in the shard's poller, its deadlines in the shard's timers: DTMF
/// timeout, DTMF packets to send, prompt frames, the media timeout), and the other leg of its call
/// lives on the same shard, so <see cref="OnRelayedRtp"/> is a function call on that thread
/// (docs/media.md, "Call shards"). Control calls from other threads hand over through one atomic
/// reference and ask the shard to poll. No allocation and no lock per packet.
/// </summary>
public sealed partial class RtpLeg : IRtpSink, IAsyncDisposable, IShardMember
{
    private readonly IMediaSocket _socket;
    private readonly MediaShard _shard;
    private readonly ILogger _log;
    private readonly Action<RtpLegEvent> _onEvent;
    private ShardSlot? _slot;
    private volatile IRtpSink? _relayTo;
    private volatile LegAudioMode _mode = LegAudioMode.Listen;
    private bool _closed;

    private RtpLeg(IMediaSocket socket, MediaShard shard, IPAddress advertised, ILogger log, Action<RtpLegEvent> onEvent)
    {
        _socket = socket;
        _shard = shard;
        _log = log;
        _onEvent = onEvent;
        AdvertisedAddress = advertised;
        LocalSsrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
        _timestampBase = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    public int LocalPort => _socket.LocalEndPoint.Port;

    /// <summary>The address to write in our SDP (c=).</summary>
    public IPAddress AdvertisedAddress { get; }

    /// <summary>The shard that owns this leg; the other leg of the call must live on it too.</summary>
    public MediaShard Shard => _shard;

    /// <summary>The SSRC of the packets we originate (echo, DTMF from SIP INFO); relayed packets keep the far leg's.</summary>
    public uint LocalSsrc { get; }

    /// <summary>Listen, Echo, or Relay to <see cref="RelayTo"/>. May be changed from any thread.</summary>
    public LegAudioMode AudioMode
    {
        get => _mode;
        set => _mode = value;
    }

    /// <summary>Where the phone's audio and telephone events go in <see cref="LegAudioMode.Relay"/>: a leg on the same shard. May be changed from any thread.</summary>
    public IRtpSink? RelayTo
    {
        get => _relayTo;
        set => _relayTo = value;
    }

    /// <summary>Silence after which, once media had flowed, <see cref="RtpLegEventKind.MediaTimeout"/> is raised. Set before <see cref="Start"/>.</summary>
    public TimeSpan MediaTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public RtpLegCounters Counters => new(
        Volatile.Read(ref _packetsIn),
        Volatile.Read(ref _packetsOut),
        Volatile.Read(ref _packetsRelayed),
        Volatile.Read(ref _packetsDropped),
        Volatile.Read(ref _dtmfIn),
        Volatile.Read(ref _rtcpIn));

    /// <summary>A leg on a port of the pool, owned by <paramref name="shard"/>; null when every port is taken. Not yet running: <see cref="SetRemote"/>, then <see cref="Start"/>.</summary>
    public static RtpLeg? TryCreate(MediaPortPool ports, MediaShard shard, ILogger log, Action<RtpLegEvent> onEvent)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(onEvent);
        return ports.Rent() is { } socket ? new RtpLeg(socket, shard, ports.Options.Advertised, log, onEvent) : null;
    }

    /// <summary>Puts the leg's socket into its shard's poller; from then on the shard owns it.</summary>
    public void Start() => _shard.Run(() =>
    {
        if (!_closed)
        {
            _slot = _shard.Register(this, _socket);
        }
    });

    /// <summary>Closes the leg on its shard; completes when no packet can reach it any more.</summary>
    public ValueTask DisposeAsync() => new(_shard.InvokeAsync(() =>
    {
        Close();
        return Task.CompletedTask;
    }));

    void IShardMember.OnDatagram(Span<byte> datagram, SocketAddress source, TimeSpan now) => HandleDatagram(datagram, source, now);

    TimeSpan IShardMember.Poll(TimeSpan now) => Poll(now);

    /// <summary>On the shard: no datagram, timer or relayed packet reaches the leg after this.</summary>
    private void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (_slot is { } slot)
        {
            _shard.Unregister(slot);
        }

        _socket.Dispose();
    }

    /// <summary>A hand-off from another thread is waiting: poll on the shard.</summary>
    private void Wake()
    {
        if (_slot is { } slot)
        {
            _shard.RequestPoll(slot);
        }
    }

    /// <summary>Sends from the shard (echo, DTMF, prompts, relay); a failed UDP send is a lost packet.</summary>
    private void SendToPhone(ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        if (!_closed && _socket.Send(packet, destination))
        {
            _packetsOut++;
        }
        else
        {
            _packetsDropped++;
        }
    }

    private void Raise(RtpLegEvent e)
    {
        try
        {
            _onEvent(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogHandlerFailed(_log, ex);
        }
    }

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "An RTP leg event handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "RTP leg on port {Port}: latched to {Remote}")]
    private static partial void LogLatched(ILogger logger, int port, IPEndPoint remote);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "RTP leg on port {Port}: remote {Remote} from SDP")]
    private static partial void LogRemoteSet(ILogger logger, int port, IPEndPoint remote);
}
