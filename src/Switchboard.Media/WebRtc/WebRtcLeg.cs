using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Dtls;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Ice;
using Switchboard.Media.Sdp;
using Switchboard.Media.Srtp;
using Switchboard.Media.Stun;

namespace Switchboard.Media.WebRtc;

/// <summary>What a leg does with the caller's audio.</summary>
public enum LegAudioMode
{
    /// <summary>Audio is received and counted, and nothing is sent (a service that only listens for digits).</summary>
    Listen,

    /// <summary>Every audio packet goes back to the browser as our own stream: the echo test.</summary>
    Echo,
}

/// <summary>
/// One browser's media leg: a UDP port that speaks ICE-lite, DTLS-SRTP and RTP with rtcp-mux. The
/// sans-IO cores (<see cref="IceLiteAgent"/>, the DTLS engine, <see cref="SrtpSession"/>,
/// <see cref="DtmfDetector"/>) are driven by one loop, <see cref="RunAsync"/>, which is the leg's only
/// owner. The DTLS engine runs its handshake on its own worker; what it produces reaches the loop
/// through two volatile hand-offs (keys, failure) and a wake-up.
/// </summary>
public sealed partial class WebRtcLeg : IAsyncDisposable
{
    private const int BufferSize = DtlsLimits.MaxDatagramSize + 64;
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly IceLiteAgent _ice;
    private readonly IDtlsEndpoint _dtls;
    private readonly DtmfDetector _dtmf = new();
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly ILogger _log;
    private readonly Action<WebRtcLegEvent> _onEvent;
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _receiveBuffer = new byte[BufferSize];
    private readonly byte[] _sendBuffer = new byte[BufferSize];
    private readonly byte[] _dtlsSendBuffer = new byte[BufferSize];
    private readonly byte[] _stunResponse = new byte[IceLiteAgent.MinResponseBufferSize * 2];
    private readonly SocketAddress _receiveAddress;

    private DtlsSrtpKeys? _pendingKeys; // Written by the DTLS worker, read by the loop: Volatile/Interlocked only.
    private volatile string? _pendingFailure;
    private volatile SocketAddress? _dtlsPeer;
    private CancellationTokenSource? _wake;
    private SrtpSession? _srtp;
    private SocketAddress? _mediaPeer;
    private TransportAddress _mediaPeerAddress;
    private Task _loop = Task.CompletedTask;
    private bool _connectedRaised;
    private bool _ended;
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);

    private WebRtcLeg(Socket socket, IceLiteAgent ice, IDtlsEndpoint dtls, SdpNegotiatedAudio audio, string answer, uint ssrc,
        TimeProvider time, ILogger log, Action<WebRtcLegEvent> onEvent)
    {
        _socket = socket;
        _ice = ice;
        _dtls = dtls;
        Audio = audio;
        AnswerSdp = answer;
        _time = time;
        _epoch = time.GetTimestamp();
        _log = log;
        _onEvent = onEvent;
        _receiveAddress = new SocketAddress(socket.AddressFamily);
        LocalSsrc = ssrc;
        _dtls.OutgoingAvailable += SendDtlsFlights;
        _dtls.HandshakeCompleted += keys => { Volatile.Write(ref _pendingKeys, keys); Wake(); };
        _dtls.Failed += failure => { _pendingFailure = "DTLS " + failure.Kind; Wake(); };
        _dtls.Closed += closed => { _pendingFailure = "DTLS closed: " + closed.Kind; Wake(); };
    }

    /// <summary>The SDP answer for the browser.</summary>
    public string AnswerSdp { get; }

    /// <summary>What the offer and answer agreed: codec, telephone-event payload type, remote credentials.</summary>
    public SdpNegotiatedAudio Audio { get; }

    /// <summary>The SSRC written in the answer's a=ssrc line, which our packets carry.</summary>
    public uint LocalSsrc { get; }

    public LegAudioMode AudioMode { get; set; } = LegAudioMode.Listen;

    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public WebRtcLegCounters Counters { get; private set; }

    /// <summary>The elapsed time, from the leg's creation, when the first SRTP packet was sent; null before.</summary>
    public TimeSpan? FirstSrtpSentAt { get; private set; }

    /// <summary>
    /// Answers a browser's offer: allocates a port, ICE credentials and a DTLS server, and returns the
    /// leg (not yet running; call <see cref="Start"/>). On failure, <paramref name="error"/> says why.
    /// </summary>
    public static WebRtcLeg? TryCreate(string offerSdp, IReadOnlyList<SdpCodec> codecPreferences, MediaPortPool ports, DtlsCertificate certificate,
        TimeProvider time, ILogger log, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!SdpParser.TryParse(offerSdp, out var offer, out _))
        {
            error = WebRtcLegError.UnreadableOffer;
            return null;
        }

        var validation = WebRtcAnswer.Validate(offer, codecPreferences);
        if (validation != SdpOfferError.None)
        {
            error = WebRtcLegError.UnusableOffer;
            return null;
        }

        var socket = ports.Rent();
        if (socket is null)
        {
            error = WebRtcLegError.NoPort;
            return null;
        }

        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var credentials = IceCredentials.Generate();
        var advertised = ports.Options.Advertised;
        var candidates = IceSdp.MediaLines(credentials, [new IceHostCandidate(advertised, port)])
            .Where(line => line.StartsWith("a=candidate:", StringComparison.Ordinal)).ToList();
        var ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        if (!WebRtcAnswer.TryCreate(offer, new WebRtcAnswerOptions
            {
                IceUfrag = credentials.Ufrag,
                IcePwd = credentials.Password,
                Fingerprint = certificate.Fingerprint.ToString(),
                Address = advertised,
                Port = port,
                CandidateLines = candidates,
                CodecPreferences = codecPreferences,
                SessionId = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue),
                Ssrc = ssrc,
                Cname = "switchboard",
                Msid = "switchboard audio",
            }, out var answer, out _))
        {
            socket.Dispose();
            error = WebRtcLegError.UnusableOffer;
            return null;
        }

        var ice = new IceLiteAgent(credentials, TimeSpan.Zero, ports.Options.Ice, log);
        if (!ice.TrySetRemoteCredentials(answer.Audio.RemoteIceUfrag, answer.Audio.RemoteIcePwd))
        {
            ice.Dispose();
            socket.Dispose();
            error = WebRtcLegError.UnusableOffer;
            return null;
        }

        var fingerprints = answer.Audio.RemoteFingerprints
            .Select(f => DtlsFingerprint.TryCreate(f.HashFunction, f.Value, out var fp) ? fp : null)
            .OfType<DtlsFingerprint>().ToList();
        if (fingerprints.Count == 0)
        {
            ice.Dispose();
            socket.Dispose();
            error = WebRtcLegError.UnusableOffer;
            return null;
        }

        var dtls = BouncyCastleDtlsEndpoint.CreateServer(new DtlsEndpointOptions
        {
            Certificate = certificate,
            ExpectedRemoteFingerprints = fingerprints,
            HandshakeTimeout = ports.Options.DtlsHandshakeTimeout,

            // AEAD_AES_128_GCM first: about half the cost per packet of AES-CM + HMAC-SHA1 here (docs/benchmarks.md).
            SrtpProfiles = [DtlsSrtpProfile.AeadAes128Gcm, DtlsSrtpProfile.AesCm128HmacSha1_80],
            TimeProvider = time,
            Logger = log,
        });
        error = WebRtcLegError.None;
        return new WebRtcLeg(socket, ice, dtls, answer.Audio, answer.ToText(), ssrc, time, log, onEvent);
    }

    /// <summary>Starts the DTLS server and the leg's loop.</summary>
    public void Start()
    {
        _dtls.Start();
        _loop = Task.Run(RunAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Wake();
        await _loop;
        _dtls.Close();
        SendDtlsFlights();
        await _dtls.DisposeAsync();
        _socket.Dispose();
        _ice.Dispose();
        _srtp?.Dispose();
        _stopping.Dispose();
    }

    private TimeSpan Now => _time.GetElapsedTime(_epoch);

    private void Raise(WebRtcLegEvent e)
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

    /// <summary>Interrupts the loop's wait so it takes up what the DTLS worker handed over.</summary>
    private void Wake()
    {
        try
        {
            Volatile.Read(ref _wake)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The loop already moved on to a new wait; it will see the hand-off.
        }
    }

    /// <summary>Runs on the DTLS worker: flights go to the address the handshake came from.</summary>
    private void SendDtlsFlights()
    {
        lock (_dtlsSendBuffer)
        {
            while (_dtls.TryDequeueOutgoing(_dtlsSendBuffer, out var length))
            {
                if (_dtlsPeer is { } peer)
                {
                    TrySend(_dtlsSendBuffer.AsSpan(0, length), peer);
                }
            }
        }
    }

    private bool TrySend(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> span) => BinaryPrimitives.ReadUInt16BigEndian(span);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "A WebRTC leg event handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "WebRTC leg on port {Port}: ICE selected {Remote}")]
    private static partial void LogIceSelected(ILogger logger, int port, TransportAddress remote);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "WebRTC leg on port {Port}: DTLS done, SRTP profile {Profile}")]
    private static partial void LogSrtpReady(ILogger logger, int port, ushort profile);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "WebRTC leg on port {Port} failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, int port);
}
