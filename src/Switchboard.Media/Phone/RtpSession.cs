using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Relay;
using Switchboard.Media.Rtp;
using Switchboard.Media.Shards;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Phone;

/// <summary>Where an <see cref="RtpSession"/>'s packets go: the leg's socket in the server, anything in tests.</summary>
public interface IRtpSender
{
    /// <summary>Sends at once or drops; false when dropped here.</summary>
    bool Send(ReadOnlySpan<byte> packet, SocketAddress destination);
}

/// <summary>
/// Plain RTP/AVP with a SIP phone, sans-IO (RFC 3550, rtcp-mux per RFC 5761): datagrams and the time go in
/// (<see cref="HandleDatagram"/>, <see cref="Poll"/>), packets go out through an <see cref="IRtpSender"/>,
/// events go to the owner's callback. Symmetric RTP with latching, RFC 4733 digits both ways, prompts, the
/// media timeout, and the relay to the other leg of the call. One owner calls it (the leg's shard); the
/// control calls that other threads may make (<see cref="SetRemote"/>, <see cref="Play"/>,
/// <see cref="SendDtmf"/>) hand over through one atomic reference or queue and raise <see cref="WakeRequested"/>.
/// No allocation and no lock per packet.
/// </summary>
public sealed partial class RtpSession
{
    private readonly IRtpSender _sender;
    private readonly AddressFamily _family;
    private readonly ILogger _log;
    private readonly Action<RtpLegEvent> _onEvent;
    private readonly MediaScratch _scratch;
    private readonly RtpStreamRewriter _out;
    private volatile IRtpSink? _relayTo;
    private volatile LegAudioMode _mode = LegAudioMode.Listen;

    /// <param name="scratch">Work buffers shared with the other sessions of the owner's thread (a shard's); null: the session's own.</param>
    public RtpSession(IRtpSender sender, AddressFamily family, int localPort, ILogger log, Action<RtpLegEvent> onEvent, MediaScratch? scratch = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(onEvent);
        _sender = sender;
        _family = family;
        LocalPort = localPort;
        _log = log;
        _onEvent = onEvent;
        _scratch = scratch ?? new MediaScratch();
        LocalSsrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        _out = new RtpStreamRewriter(LocalSsrc, (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue));
        _timestampBase = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    /// <summary>The port, for log lines.</summary>
    public int LocalPort { get; }

    /// <summary>The SSRC of every packet we send the phone: relayed, echoed, prompts and digits alike (<see cref="RtpStreamRewriter"/>).</summary>
    public uint LocalSsrc { get; }

    /// <summary>A hand-off from another thread is waiting: the owner should call <see cref="Poll"/> soon.</summary>
    public event Action? WakeRequested;

    /// <summary>Listen, Echo, or Relay to <see cref="RelayTo"/>. May be changed from any thread.</summary>
    public LegAudioMode AudioMode
    {
        get => _mode;
        set => _mode = value;
    }

    /// <summary>Where the phone's audio and telephone events go in <see cref="LegAudioMode.Relay"/>: a sink on the owner's thread. May be changed from any thread.</summary>
    public IRtpSink? RelayTo
    {
        get => _relayTo;
        set => _relayTo = value;
    }

    /// <summary>Silence after which, once media had flowed, <see cref="RtpLegEventKind.MediaTimeout"/> is raised.</summary>
    public TimeSpan MediaTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public RtpLegCounters Counters => new(
        Volatile.Read(ref _packetsIn),
        Volatile.Read(ref _packetsOut),
        Volatile.Read(ref _packetsRelayed),
        Volatile.Read(ref _packetsDropped),
        Volatile.Read(ref _dtmfIn),
        Volatile.Read(ref _rtcpIn));

    private void Wake() => WakeRequested?.Invoke();

    /// <summary>
    /// Sends an RTP packet as our one stream to the phone: our SSRC and sequence, and a timestamp line that survives a
    /// change of source (a transfer, a prompt after the far leg): see <see cref="RtpStreamRewriter"/>.
    /// </summary>
    private void SendToPhone(Span<byte> packet, SocketAddress destination, TimeSpan now)
    {
        if (packet.Length < RtpHeader.FixedHeaderLength || _remote is not { } remote)
        {
            _packetsDropped++;
            return;
        }

        _out.Rewrite(packet, now, remote.Audio.Codec.Codec.ClockRate);
        if (_sender.Send(packet, destination))
        {
            _packetsOut++;
            CountSent(packet);
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
