using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Dtls;
using Switchboard.Media.Sdp;
using Switchboard.Media.Stun;
using Switchboard.Media.Transport;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// A <see cref="WebRtcSession"/> on its own UDP port: the socket adapter. Its receive loop is the
/// session's only owner; the loop waits for a datagram or the session's next deadline, whichever
/// comes first, and a DTLS hand-off interrupts the wait. No allocation per datagram.
/// </summary>
public sealed partial class WebRtcLeg : IDatagramSender, IAsyncDisposable, IDeadlineLoopOwner
{
    private const int BufferSize = DtlsLimits.MaxDatagramSize + 64;

    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _receiveBuffer = new byte[BufferSize];
    private readonly SocketAddress _receiveAddress;
    private readonly Lock _sendGate = new();
    private readonly DeadlineReceiveLoop _receiveLoop;
    private WebRtcSession _session = null!;
    private Task _loop = Task.CompletedTask;
    private TransportAddress _lastTo;
    private SocketAddress? _lastToSocketAddress;

    private WebRtcLeg(Socket socket, TimeProvider time, ILogger log)
    {
        _socket = socket;
        _time = time;
        _epoch = time.GetTimestamp();
        _log = log;
        _receiveAddress = new SocketAddress(socket.AddressFamily);
        _receiveLoop = new DeadlineReceiveLoop(socket, time, _receiveBuffer, _receiveAddress);
    }

    public WebRtcSession Session => _session;

    public string AnswerSdp => _session.AnswerSdp;

    public SdpNegotiatedAudio Audio => _session.Audio;

    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public LegAudioMode AudioMode
    {
        get => _session.AudioMode;
        set => _session.AudioMode = value;
    }

    /// <summary>Answers a browser's offer on a port of the pool. Not yet running: call <see cref="Start"/>.</summary>
    public static WebRtcLeg? TryCreate(string offerSdp, IReadOnlyList<SdpCodec> codecPreferences, MediaPortPool ports, DtlsCertificate certificate,
        TimeProvider time, ILogger log, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error) =>
        Open(codecPreferences, ports, certificate, time, log,
            (WebRtcSessionOptions options, WebRtcLeg leg, out WebRtcLegError sessionError) => WebRtcSession.TryCreate(offerSdp, options, leg, onEvent, out sessionError),
            out error);

    /// <summary>Rents a port, makes the session on it with <paramref name="create"/>, and gives the port back if that fails.</summary>
    private static WebRtcLeg? Open(IReadOnlyList<SdpCodec> codecPreferences, MediaPortPool ports, DtlsCertificate certificate,
        TimeProvider time, ILogger log, CreateSession create, out WebRtcLegError error)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var socket = ports.Rent();
        if (socket is null)
        {
            error = WebRtcLegError.NoPort;
            return null;
        }

        var leg = new WebRtcLeg(socket, time, log);
        var session = create(new WebRtcSessionOptions
        {
            AdvertisedAddress = ports.Options.Advertised,
            Port = leg.LocalPort,
            Certificate = certificate,
            CodecPreferences = codecPreferences,
            Now = TimeSpan.Zero,
            Ice = ports.Options.Ice,
            DtlsHandshakeTimeout = ports.Options.DtlsHandshakeTimeout,
            Time = time,
            Logger = log,
        }, leg, out error);
        if (session is null)
        {
            socket.Dispose();
            leg._stopping.Dispose();
            return null;
        }

        leg._session = session;
        session.WakeRequested += leg.Wake;
        return leg;
    }

    public void Start()
    {
        _session.Start();
        _loop = Task.Run(() => _receiveLoop.RunAsync(this, _stopping.Token));
    }

    /// <summary>Thread-safe (the DTLS worker sends flights through it); caches the socket form of the last peer.</summary>
    public void Send(ReadOnlySpan<byte> datagram, TransportAddress destination)
    {
        lock (_sendGate)
        {
            if (_lastToSocketAddress is null || _lastTo != destination)
            {
                _lastTo = destination;
                _lastToSocketAddress = destination.ToIPEndPoint().Serialize();
            }

            try
            {
                _socket.SendTo(datagram, SocketFlags.None, _lastToSocketAddress);
            }
            catch (SocketException)
            {
                // UDP: a send that fails is a lost packet.
            }
            catch (ObjectDisposedException)
            {
                // The leg is closing.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Wake();
        await _loop;
        CloseRelay();
        await _session.DisposeAsync();
        _socket.Dispose();
        _stopping.Dispose();
    }

    private TimeSpan Now => _time.GetElapsedTime(_epoch);

    private void Wake() => _receiveLoop.Wake();

    void IDeadlineLoopOwner.OnDatagram(int length)
    {
        if (TransportAddress.TryFromSocketAddress(_receiveAddress, out var source))
        {
            lock (_sessionGate)
            {
                _session.HandleDatagram(_receiveBuffer.AsSpan(0, length), source, Now);
            }

            ForwardPendingRelay();
        }
    }

    TimeSpan IDeadlineLoopOwner.Poll()
    {
        lock (_sessionGate)
        {
            return _session.Poll(Now);
        }
    }

    TimeSpan IDeadlineLoopOwner.Now => Now;

    bool IDeadlineLoopOwner.Ended => _session.Ended;

    void IDeadlineLoopOwner.OnFailure(Exception exception) => LogLoopFailed(_log, exception, LocalPort);

    private delegate WebRtcSession? CreateSession(WebRtcSessionOptions options, WebRtcLeg leg, out WebRtcLegError error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "WebRTC leg on port {Port} failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, int port);
}
