using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Relay;
using Switchboard.Media.Transport;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Phone;

/// <summary>
/// Plain RTP/AVP for a SIP phone on one port of the pool, RTCP multiplexed (RFC 5761). One receive
/// loop owns the leg: it waits for a datagram or the next deadline (DTMF timeout, a DTMF packet to
/// send, the media timeout), whichever comes first. The other leg of a call sends into this one
/// through <see cref="OnRelayedRtp"/> on its own thread, touching only immutable state
/// (docs/media.md, "Relay to SIP phones"). No allocation per packet.
/// </summary>
public sealed partial class RtpLeg : IRtpSink, IAsyncDisposable, IDeadlineLoopOwner
{
    private const int BufferSize = 1500;

    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly ILogger _log;
    private readonly Action<RtpLegEvent> _onEvent;
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _receiveBuffer = new byte[BufferSize];
    private readonly SocketAddress _receiveAddress;
    private readonly DeadlineReceiveLoop _receiveLoop;
    private Task _loop = Task.CompletedTask;
    private volatile IRtpSink? _relayTo;
    private volatile LegAudioMode _mode = LegAudioMode.Listen;

    private RtpLeg(Socket socket, IPAddress advertised, TimeProvider time, ILogger log, Action<RtpLegEvent> onEvent)
    {
        _socket = socket;
        _time = time;
        _epoch = time.GetTimestamp();
        _log = log;
        _onEvent = onEvent;
        _receiveAddress = new SocketAddress(socket.AddressFamily);
        _receiveLoop = new DeadlineReceiveLoop(socket, time, _receiveBuffer, _receiveAddress);
        AdvertisedAddress = advertised;
        LocalSsrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
        _timestampBase = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>The address to write in our SDP (c=).</summary>
    public IPAddress AdvertisedAddress { get; }

    /// <summary>The SSRC of the packets we originate (echo, DTMF from SIP INFO); relayed packets keep the far leg's.</summary>
    public uint LocalSsrc { get; }

    /// <summary>Listen, Echo, or Relay to <see cref="RelayTo"/>. May be changed from any thread.</summary>
    public LegAudioMode AudioMode
    {
        get => _mode;
        set => _mode = value;
    }

    /// <summary>Where the phone's audio and telephone events go in <see cref="LegAudioMode.Relay"/>. May be changed from any thread.</summary>
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

    /// <summary>A leg on a port of the pool, or null when every port is taken. Not yet running: <see cref="SetRemote"/>, then <see cref="Start"/>.</summary>
    public static RtpLeg? TryCreate(MediaPortPool ports, TimeProvider time, ILogger log, Action<RtpLegEvent> onEvent)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(onEvent);
        return ports.Rent() is { } socket ? new RtpLeg(socket, ports.Options.Advertised, time, log, onEvent) : null;
    }

    public void Start() => _loop = Task.Run(() => _receiveLoop.RunAsync(this, _stopping.Token));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Wake();
        await _loop;
        _socket.Dispose();
        _stopping.Dispose();
    }

    private TimeSpan Now => _time.GetElapsedTime(_epoch);

    private void Wake() => _receiveLoop.Wake();

    void IDeadlineLoopOwner.OnDatagram(int length) => HandleDatagram(_receiveBuffer.AsSpan(0, length), _receiveAddress, Now);

    TimeSpan IDeadlineLoopOwner.Poll() => Poll(Now);

    TimeSpan IDeadlineLoopOwner.Now => Now;

    bool IDeadlineLoopOwner.Ended => false;

    void IDeadlineLoopOwner.OnFailure(Exception exception) => LogLoopFailed(_log, exception, LocalPort);

    /// <summary>Sends from the loop (echo, DTMF); a failed UDP send is a lost packet.</summary>
    private void SendToPhone(ReadOnlySpan<byte> packet, SocketAddress destination)
    {
        try
        {
            _socket.SendTo(packet, SocketFlags.None, destination);
            Interlocked.Increment(ref _packetsOut);
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _packetsDropped);
        }
        catch (ObjectDisposedException)
        {
            // The leg is closing.
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

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "RTP leg on port {Port} failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, int port);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "An RTP leg event handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "RTP leg on port {Port}: latched to {Remote}")]
    private static partial void LogLatched(ILogger logger, int port, IPEndPoint remote);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "RTP leg on port {Port}: remote {Remote} from SDP")]
    private static partial void LogRemoteSet(ILogger logger, int port, IPEndPoint remote);
}
