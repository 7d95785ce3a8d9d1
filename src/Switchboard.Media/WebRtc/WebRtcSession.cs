using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Demux;
using Switchboard.Media.Dtls;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Ice;
using Switchboard.Media.Rtp;
using Switchboard.Media.Sdp;
using Switchboard.Media.Shards;
using Switchboard.Media.Srtp;
using Switchboard.Media.Stun;

namespace Switchboard.Media.WebRtc;

/// <summary>What a session does with the caller's audio.</summary>
public enum LegAudioMode
{
    /// <summary>Audio is received and counted, and nothing is sent (a service that only listens for digits).</summary>
    Listen,

    /// <summary>Every audio packet goes back to the browser as our own stream: the echo test.</summary>
    Echo,

    /// <summary>Audio and telephone events go to the other leg of the call (<c>RelayTo</c>).</summary>
    Relay,
}

/// <summary>
/// One browser's media session, sans-IO: datagrams and the time come in through
/// <see cref="HandleDatagram"/> and <see cref="Poll"/>; datagrams leave through an
/// <see cref="IDatagramSender"/>; events go to the owner's callback. It composes the cores: ICE-lite
/// (<see cref="IceLiteAgent"/>), DTLS (<see cref="IDtlsEndpoint"/>, whose handshake runs on a pool
/// worker and hands its outcome over through two atomic slots; after it, DTLS datagrams are processed
/// inside <see cref="HandleDatagram"/> and a close or alert lands in the same slot at once), SRTP and
/// the DTMF detector.
/// One owner calls <see cref="HandleDatagram"/> and <see cref="Poll"/>; nothing here takes a lock.
/// </summary>
public sealed partial class WebRtcSession : IAsyncDisposable
{
    private const string ClosedByPeer = "DTLS close_notify";

    private readonly IceLiteAgent _ice;
    private readonly IDtlsEndpoint _dtls;
    private readonly IDatagramSender _sender;
    private readonly DtmfDetector _dtmf = new();
    private readonly ILogger _log;
    private readonly Action<WebRtcLegEvent> _onEvent;
    private readonly MediaScratch _scratch;
    private SdpNegotiatedAudio? _audio;

    private DtlsSrtpKeys? _pendingKeys;
    private string? _pendingFailure;
    private Peer? _dtlsPeer;
    private bool _dtlsOutgoing;
    private SrtpSession? _srtp;
    private TransportAddress _mediaPeer;
    private bool _hasMediaPeer;
    private bool _connectedRaised;
    private bool _firstSrtpReceived;
    private TimeSpan _now;

    private WebRtcSession(IceLiteAgent ice, IDtlsEndpoint dtls, SdpNegotiatedAudio? audio, string localSdp, uint ssrc,
        IDatagramSender sender, MediaScratch? scratch, ILogger log, Action<WebRtcLegEvent> onEvent)
    {
        _scratch = scratch ?? new MediaScratch();
        _ice = ice;
        _dtls = dtls;
        _sender = sender;
        _audio = audio;
        LocalSdp = localSdp;
        LocalSsrc = ssrc;
        _log = log;
        _onEvent = onEvent;
        _out = new RtpStreamRewriter(ssrc, (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue));
        // The DTLS engine may queue a flight on another thread: the owner sends it, woken for it.
        _dtls.OutgoingAvailable += () => { Volatile.Write(ref _dtlsOutgoing, true); WakeRequested?.Invoke(); };
        _dtls.HandshakeCompleted += keys => { Volatile.Write(ref _pendingKeys, keys); WakeRequested?.Invoke(); };
        _dtls.Failed += failure => { Volatile.Write(ref _pendingFailure, "DTLS " + failure.Kind); WakeRequested?.Invoke(); };
        _dtls.Closed += closed =>
        {
            // close_notify is the browser closing its peer connection (RFC 5246 section 7.2.1): a hang-up, not a fault.
            Volatile.Write(ref _pendingFailure, closed.Kind == DtlsCloseKind.CloseNotify ? ClosedByPeer : "DTLS closed: " + closed.Kind);
            WakeRequested?.Invoke();
        };
    }

    /// <summary>Our description: the answer to the browser's (latest) offer, or in offerer mode our offer.</summary>
    public string LocalSdp { get; private set; }

    /// <summary>The SDP answer for the browser (answerer mode).</summary>
    public string AnswerSdp => IsOfferer ? throw new InvalidOperationException("This session made the offer; see OfferSdp.") : LocalSdp;

    /// <summary>What the offer and answer agreed: codec, telephone-event payload type, remote credentials. In offerer mode, known once the answer is accepted.</summary>
    public SdpNegotiatedAudio Audio => _audio ?? Volatile.Read(ref _acceptedAudio) ?? throw new InvalidOperationException("No answer accepted yet.");

    /// <summary>The SSRC written in the answer's a=ssrc line, which our packets carry.</summary>
    public uint LocalSsrc { get; }

    public LegAudioMode AudioMode { get; set; } = LegAudioMode.Listen;

    /// <summary>
    /// The owner should call <see cref="Poll"/> soon: raised from the DTLS handshake worker, or the
    /// deadline timer, or (after the handshake) from inside <see cref="HandleDatagram"/> on the
    /// owner's own thread. A handler only signals the owner's loop.
    /// </summary>
    public event Action? WakeRequested;

    /// <summary>True once the session ended (consent lost, DTLS failed); the owner disposes it.</summary>
    public bool Ended { get; private set; }

    /// <summary>The time (owner's clock) when the first SRTP packet was sent; null before.</summary>
    public TimeSpan? FirstSrtpSentAt { get; private set; }

    /// <summary>
    /// Answers a browser's offer with our ICE-lite credentials, host candidate and DTLS fingerprint
    /// (RFC 8829, 8839, 8842). Returns null with the reason when the offer cannot be used.
    /// </summary>
    public static WebRtcSession? TryCreate(string offerSdp, WebRtcSessionOptions options, IDatagramSender sender,
        Action<WebRtcLegEvent> onEvent, out WebRtcLegError error)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!SdpParser.TryParse(offerSdp, out var offer, out _))
        {
            error = WebRtcLegError.UnreadableOffer;
            return null;
        }

        var credentials = IceCredentials.Generate();
        var local = DescribeLocal(options, credentials);
        if (!WebRtcAnswer.TryCreate(offer, new WebRtcAnswerOptions(local, options.CodecPreferences), out var answer, out _) ||
            !TryRemoteFingerprints(answer.Audio, out var fingerprints))
        {
            error = WebRtcLegError.UnusableOffer;
            return null;
        }

        var ice = new IceLiteAgent(credentials, options.Now, options.Ice, options.Logger);
        if (!ice.TrySetRemoteCredentials(answer.Audio.RemoteIceUfrag, answer.Audio.RemoteIcePwd))
        {
            ice.Dispose();
            error = WebRtcLegError.UnusableOffer;
            return null;
        }

        var dtls = CreateDtlsServer(options, fingerprints, late: null);
        error = WebRtcLegError.None;
        return new WebRtcSession(ice, dtls, answer.Audio, answer.ToText(), local.Ssrc!.Value, sender, options.Scratch, options.Logger, onEvent)
        {
            _wallClock = options.Time,
            _answeredWith = local,
        };
    }

    /// <summary>Starts the DTLS server (it waits for the browser's ClientHello); in offerer mode, once the browser shows up.</summary>
    public void Start()
    {
        _startRequested = true;
        StartDtlsUnlessDeferred();
    }

    /// <summary>One datagram from <paramref name="source"/> at <paramref name="now"/>; may be modified in place (SRTP is decrypted there).</summary>
    public void HandleDatagram(Span<byte> datagram, TransportAddress source, TimeSpan now)
    {
        _now = now;
        TakeDtlsHandOffs();
        switch (MediaDemux.Classify(datagram))
        {
            case DatagramKind.Stun:
                OnStun(datagram, source);
                break;
            case DatagramKind.Dtls:
                // DTLS only from where an authenticated check came from (RFC 8842: DTLS follows ICE).
                if (Volatile.Read(ref _dtlsPeer) is { } peer && peer.Address == source)
                {
                    // After the handshake this may raise Closed (close_notify, an alert) on this
                    // thread, before it returns: take it now rather than at the next wake-up.
                    _dtls.OnDatagram(datagram);
                    TakeDtlsHandOffs();
                }
                else
                {
                    _dropped++;
                }

                break;
            case DatagramKind.Rtp:
                OnSrtp(datagram, source, rtcp: false);
                break;
            case DatagramKind.Rtcp:
                OnSrtp(datagram, source, rtcp: true);
                break;
            default:
                _dropped++;
                break;
        }

        DrainIce();
    }

    /// <summary>Advances timers (consent, DTMF timeouts, RTCP) and takes up DTLS hand-offs; returns the next wake-up time.</summary>
    public TimeSpan Poll(TimeSpan now)
    {
        _now = now;
        TakeDtlsHandOffs();
        var next = _ice.Poll(now);
        DrainIce();
        _dtmf.Tick(now);
        DrainDtmf();
        next = PollRtcp(now, next);
        next = PollPlayback(now, next);
        if (_dtmf.NextTimeout is { } dtmfDue && dtmfDue < next)
        {
            next = dtmfDue;
        }

        return next;
    }

    /// <summary>Sends DTLS close_notify (when connected: queued by Close on this thread) and frees the handshake worker, if one still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        _dtls.Close();
        SendDtlsFlights();
        await _dtls.DisposeAsync();
        _ice.Dispose();
        _srtp?.Dispose();
        _lateFingerprints?.Dispose();
    }

    private void OnStun(ReadOnlySpan<byte> datagram, TransportAddress source)
    {
        var response = _scratch.Stun;
        var outcome = _ice.HandleStun(datagram, source, _now, response, out var responseLength);
        if (responseLength > 0)
        {
            _sender.Send(response.AsSpan(0, responseLength), source);
        }

        if (outcome is IceCheckOutcome.Answered or IceCheckOutcome.AnsweredNominated && !_hasMediaPeer)
        {
            // The first authenticated check makes a valid pair: the browser's DTLS and media may use it
            // before it nominates one (RFC 8445 section 12.1), and Chromium does, a check interval or
            // more before USE-CANDIDATE. Nomination, when it comes, may move the pair.
            _mediaPeer = source;
            _hasMediaPeer = true;
            Volatile.Write(ref _dtlsPeer, new Peer(source));
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.FirstIceCheck));
            OnBrowserActive();
            RaiseConnectedIfReady();
        }
    }

    private void DrainIce()
    {
        while (_ice.TryDequeueEvent(out var e))
        {
            switch (e.Kind)
            {
                case IceEventKind.SelectedPairChanged:
                    _mediaPeer = e.RemoteEndpoint;
                    _hasMediaPeer = true;
                    Volatile.Write(ref _dtlsPeer, new Peer(e.RemoteEndpoint));
                    LogIceSelected(_log, e.RemoteEndpoint);
                    RaiseConnectedIfReady();
                    break;
                case IceEventKind.ConsentExpired:
                case IceEventKind.ConnectTimeout:
                    End(new WebRtcLegEvent(WebRtcLegEventKind.ConsentLost, Detail: e.Kind.ToString()));
                    break;
                default:
                    break;
            }
        }
    }

    private void TakeDtlsHandOffs()
    {
        TakePostedAnswer();
        if (Volatile.Read(ref _dtlsOutgoing))
        {
            Volatile.Write(ref _dtlsOutgoing, false);
            SendDtlsFlights();
        }

        if (_srtp is null && Volatile.Read(ref _pendingKeys) is not null && Interlocked.Exchange(ref _pendingKeys, null) is { } keys)
        {
            if (SrtpSession.TryCreateFromDtls(keys.SrtpProfileId, keys.KeyingMaterial, keys.IsServer, out var session))
            {
                _srtp = session;
                LogSrtpReady(_log, keys.SrtpProfileId);
                RaiseConnectedIfReady();
            }
            else
            {
                End(new WebRtcLegEvent(WebRtcLegEventKind.TransportFailed, Detail: "unusable SRTP keys"));
            }
        }

        if (Volatile.Read(ref _pendingFailure) is not null && Interlocked.Exchange(ref _pendingFailure, null) is { } failure)
        {
            End(ReferenceEquals(failure, ClosedByPeer)
                ? new WebRtcLegEvent(WebRtcLegEventKind.ClosedByPeer)
                : new WebRtcLegEvent(WebRtcLegEventKind.TransportFailed, Detail: failure));
        }
    }

    /// <summary>On the owner only (woken for it when the handshake worker queued a flight): flights go to the address the handshake came from.</summary>
    private void SendDtlsFlights()
    {
        var buffer = _scratch.Dtls;
        while (_dtls.TryDequeueOutgoing(buffer, out var length))
        {
            if (Volatile.Read(ref _dtlsPeer) is { } peer)
            {
                _sender.Send(buffer.AsSpan(0, length), peer.Address);
            }
        }
    }

    private void RaiseConnectedIfReady()
    {
        if (!_connectedRaised && _srtp is not null && _hasMediaPeer)
        {
            _connectedRaised = true;
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.MediaConnected));
        }
    }

    private void End(WebRtcLegEvent reason)
    {
        if (!Ended)
        {
            Ended = true;
            Raise(reason);
        }
    }

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

    private static bool TryRemoteFingerprints(SdpNegotiatedAudio audio, [NotNullWhen(true)] out List<DtlsFingerprint>? fingerprints)
    {
        fingerprints = audio.RemoteFingerprints
            .Select(f => DtlsFingerprint.TryCreate(f.HashFunction, f.Value, out var fp) ? fp : null)
            .OfType<DtlsFingerprint>().ToList();
        return fingerprints.Count > 0;
    }

    /// <summary>Our ICE credentials, candidate, certificate fingerprint and stream ids as both our answer and our offer write them.</summary>
    private static WebRtcLocalOptions DescribeLocal(WebRtcSessionOptions options, IceCredentials credentials) => new()
    {
        IceUfrag = credentials.Ufrag,
        IcePwd = credentials.Password,
        Fingerprint = options.Certificate.Fingerprint.ToString(),
        Address = options.AdvertisedAddress,
        Port = options.Port,
        CandidateLines = [IceSdp.CandidateLine(new IceHostCandidate(options.AdvertisedAddress, options.Port))],
        SessionId = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue),
        Ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue),
        Cname = "switchboard",
        Msid = "switchboard audio",
    };

    /// <summary>We are always the DTLS server; the peer's fingerprints are known now (<paramref name="expected"/>) or come later (<paramref name="late"/>).</summary>
    private static BouncyCastleDtlsEndpoint CreateDtlsServer(WebRtcSessionOptions options, IReadOnlyList<DtlsFingerprint> expected, DtlsLateFingerprints? late) =>
        BouncyCastleDtlsEndpoint.CreateServer(new DtlsEndpointOptions
        {
            Certificate = options.Certificate,
            ExpectedRemoteFingerprints = expected,
            LateRemoteFingerprints = late,
            HandshakeTimeout = options.DtlsHandshakeTimeout,
            HandshakePool = options.DtlsHandshakePool,

            // AEAD_AES_128_GCM first: about half the cost per packet of AES-CM + HMAC-SHA1 here (docs/benchmarks.md).
            SrtpProfiles = [DtlsSrtpProfile.AeadAes128Gcm, DtlsSrtpProfile.AesCm128HmacSha1_80],
            TimeProvider = options.Time,
            Logger = options.Logger,
        });

    /// <summary>An address boxed so the DTLS worker reads it whole (a struct this size is not written atomically).</summary>
    private sealed record Peer(TransportAddress Address);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "A WebRTC session event handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "WebRTC session: ICE selected {Remote}")]
    private static partial void LogIceSelected(ILogger logger, TransportAddress remote);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "WebRTC session: DTLS done, SRTP profile {Profile}")]
    private static partial void LogSrtpReady(ILogger logger, ushort profile);
}
