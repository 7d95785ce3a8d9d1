using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Switchboard.Media.Demux;
using Switchboard.Media.Dtls;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Ice;
using Switchboard.Media.Rtp;
using Switchboard.Media.Sdp;
using Switchboard.Media.Shards;
using Switchboard.Media.Srtp;
using Switchboard.Media.Stun;
using Switchboard.Media.Tests.Dtls;
using Switchboard.Media.Tests.Ice;
using Switchboard.Media.Tests.Sdp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.WebRtc;

/// <summary>The two ends, the network between them, and the test's clock.</summary>
internal sealed class InMemoryCall : IAsyncDisposable
{
    public static readonly TransportAddress ServerAddress = TransportAddress.Create(IPAddress.Parse("127.0.0.1"), 40000);
    public static readonly TransportAddress BrowserAddress = TransportAddress.Create(IPAddress.Parse("127.0.0.2"), 50000);
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);

    private readonly SimulatedNetwork _network;
    private readonly IDtlsEndpoint _clientDtls;
    private IDatagramSender _clientSend;
    private string _serverUfrag;
    private string _serverPwd;
    private string _browserUfrag = "brws";
    private readonly byte[] _buffer = new byte[1500];
    private readonly ConcurrentQueue<DtlsSrtpKeys> _clientKeys = new();
    private SrtpSession? _clientSrtp;
    private TimeSpan _now;
    private bool _clientDtlsStarted;
    private TimeSpan _nextCheck;
    private ushort _sequence;
    private uint _timestamp;

    private InMemoryCall(SimulatedNetwork network, WebRtcSession server, ConcurrentQueue<WebRtcLegEvent> events, IDtlsEndpoint clientDtls,
        string serverUfrag, string serverPwd)
    {
        Events = events;
        _network = network;
        Server = server;
        _clientDtls = clientDtls;
        _clientSend = network.SenderFor(BrowserAddress);
        _serverUfrag = serverUfrag;
        _serverPwd = serverPwd;
        _clientDtls.OutgoingAvailable += FlushClientDtls;
        _clientDtls.HandshakeCompleted += _clientKeys.Enqueue;
    }

    public WebRtcSession Server { get; }

    public SimulatedNetwork Network => _network;

    public ConcurrentQueue<WebRtcLegEvent> Events { get; }

    /// <summary>The test clock.</summary>
    public TimeSpan Now => _now;

    public bool ChecksEnabled { get; set; } = true;

    public int EchoesReceived { get; private set; }

    /// <summary>Every RTP packet the browser decrypted, in plain form (the relay tests read what a phone sent).</summary>
    public ConcurrentQueue<byte[]> ReceivedRtp { get; } = new();

    public int ClientSrtpFailures { get; private set; }

    /// <summary>STUN responses from the server that reached the browser.</summary>
    public int CheckResponsesReceived { get; private set; }

    /// <summary>DTLS datagrams from the server that reached the browser.</summary>
    public int DtlsReceived { get; private set; }

    /// <summary>Decrypted RTP packets per address the server sent them to (the ICE restart tests follow the media's path).</summary>
    public ConcurrentDictionary<TransportAddress, int> EchoesTo { get; } = new();

    /// <summary>Where the browser sends from: <see cref="BrowserAddress"/> until <see cref="RestartIce"/> moved it.</summary>
    public TransportAddress BrowserAt { get; private set; } = BrowserAddress;

    /// <summary>The browser's telephone-event payload type: its own offer's (126), or ours when we offered (101).</summary>
    public int TelephoneEventPt { get; private init; } = 126;

    /// <summary>The browser's certificate fingerprint, for an answer to our offer.</summary>
    public DtlsFingerprint ClientFingerprint { get; private init; } = null!;

    /// <summary>We offer: the browser-like client answers (<see cref="BrowserAnswer"/>) when the test says.</summary>
    public static InMemoryCall StartOffer(int seed, double loss)
    {
        var (network, serverCert, clientCert, events) = Prepare(seed, loss);
        var server = WebRtcSession.CreateOffer(ServerOptions(serverCert), network.SenderFor(ServerAddress), events.Enqueue);
        server.AudioMode = LegAudioMode.Echo;
        Assert.Contains("a=setup:actpass", server.OfferSdp, StringComparison.Ordinal);
        var call = Assemble(network, server, server.OfferSdp, events, serverCert, clientCert, telephoneEventPt: 101);
        server.Start();
        return call;
    }

    /// <summary>The answer a browser writes to our offer: PCMU and telephone-event/8000 on our payload types, DTLS role <paramref name="setup"/>.</summary>
    public string BrowserAnswer(string setup = "active") => BrowserAnswer(ClientFingerprint, setup);

    /// <summary>A browser's answer to our offer with its certificate <paramref name="fingerprint"/>.</summary>
    public static string BrowserAnswer(DtlsFingerprint fingerprint, string setup) => SdpFixtures.BrowserAnswerToOurOffer(fingerprint.ToString(), setup);

    /// <summary>An answerer session for a browser's offer; its DTLS handshake on <paramref name="serverPool"/> (null: the shared pool), its work buffers <paramref name="scratch"/> (null: its own).</summary>
    public static async Task<InMemoryCall> StartAsync(int seed, double loss, DtlsHandshakePool? serverPool = null, MediaScratch? scratch = null)
    {
        var (network, serverCert, clientCert, events) = Prepare(seed, loss);
        var options = ServerOptions(serverCert) with { DtlsHandshakePool = serverPool, Scratch = scratch };
        var server = WebRtcSession.TryCreate(Offer(clientCert.Fingerprint), options, network.SenderFor(ServerAddress), events.Enqueue, out var error);
        Assert.Equal(WebRtcLegError.None, error);
        Assert.NotNull(server);
        server.AudioMode = LegAudioMode.Echo;
        Assert.Contains("a=setup:passive", server.AnswerSdp, StringComparison.Ordinal);
        var call = Assemble(network, server, server.AnswerSdp, events, serverCert, clientCert, telephoneEventPt: 126);
        server.Start();
        return await Task.FromResult(call);
    }

    private static (SimulatedNetwork Network, DtlsCertificate Server, DtlsCertificate Client, ConcurrentQueue<WebRtcLegEvent> Events) Prepare(int seed, double loss)
    {
        var time = TimeProvider.System;
        return (new SimulatedNetwork(seed) { Loss = loss }, DtlsCertificate.GetProcessCertificate(time), DtlsCertificate.Generate(time, TimeSpan.FromDays(1)), new());
    }

    private static WebRtcSessionOptions ServerOptions(DtlsCertificate serverCert) => new()
    {
        AdvertisedAddress = IPAddress.Loopback,
        Port = ServerAddress.Port,
        Certificate = serverCert,
        CodecPreferences = [SdpCodec.Pcmu, SdpCodec.Pcma],
    };

    /// <summary>The browser-like client for the server's description <paramref name="serverSdp"/>: our ICE checks to its credentials, the BouncyCastle DTLS client.</summary>
    private static InMemoryCall Assemble(SimulatedNetwork network, WebRtcSession server, string serverSdp, ConcurrentQueue<WebRtcLegEvent> events,
        DtlsCertificate serverCert, DtlsCertificate clientCert, int telephoneEventPt)
    {
        var ufrag = Regex.Match(serverSdp, "a=ice-ufrag:(\\S+)").Groups[1].Value;
        var pwd = Regex.Match(serverSdp, "a=ice-pwd:(\\S+)").Groups[1].Value;
        Assert.Contains("a=ice-lite", serverSdp, StringComparison.Ordinal);
        Assert.Contains("a=fingerprint:" + serverCert.Fingerprint, serverSdp, StringComparison.Ordinal);
        var clientDtls = BouncyCastleDtlsEndpoint.CreateClient(new DtlsEndpointOptions
        {
            Certificate = clientCert,
            ExpectedRemoteFingerprints = [serverCert.Fingerprint],
            HandshakeTimeout = TimeSpan.FromSeconds(20),
            HandshakePool = TestPeerPool.Instance,
        });
        return new InMemoryCall(network, server, events, clientDtls, ufrag, pwd)
        {
            TelephoneEventPt = telephoneEventPt,
            ClientFingerprint = clientCert.Fingerprint,
        };
    }

    /// <summary>The browser starts its DTLS client (its ClientHello goes out at once); <see cref="ConnectAsync"/> does it when not done before.</summary>
    public void StartClientDtls()
    {
        if (!_clientDtlsStarted)
        {
            _clientDtlsStarted = true;
            _clientDtls.Start();
        }
    }

    /// <summary>Runs the clock in steps until <paramref name="condition"/> holds, bounded by <paramref name="realTime"/> of real time (the DTLS workers run on their own threads).</summary>
    public async Task RunUntilAsync(Func<bool> condition, TimeSpan realTime, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < realTime, $"{what} did not happen: server events [{string.Join(", ", Events.Select(e => e.Kind + " " + e.Detail))}], server counters {Server.Counters}");
            Run(Step);
            await Task.Delay(1);
        }
    }

    /// <summary>Runs the clock until ICE selected a pair and DTLS-SRTP is up on both ends (bounded: 20 s of real time).</summary>
    public async Task ConnectAsync()
    {
        // Neither lossy nor reordered while connecting: DTLS recovery runs on BouncyCastle's wall-clock
        // timers (1, 2, 4 s), which this test's fast clock cannot drive; the DTLS tests cover lost,
        // reordered and fragmented flights. Loss and reordering apply to everything after.
        _network.Lossy = false;
        StartClientDtls();
        await RunUntilAsync(() =>
        {
            if (_clientSrtp is null && _clientKeys.TryDequeue(out var keys))
            {
                Assert.True(SrtpSession.TryCreateFromDtls(keys.SrtpProfileId, keys.KeyingMaterial, keys.IsServer, out _clientSrtp));
            }

            return Events.Any(e => e.Kind == WebRtcLegEventKind.MediaConnected) && _clientSrtp is not null;
        }, TimeSpan.FromSeconds(20), "ICE + DTLS");

        _network.Lossy = true;
    }

    /// <summary>Frees the browser's DTLS endpoint and SRTP (without close_notify), so that only the server's session is left (memory measurements).</summary>
    public async ValueTask ReleaseBrowserAsync()
    {
        await _clientDtls.DisposeAsync();
        _clientSrtp?.Dispose();
        _clientSrtp = null;
    }

    /// <summary>The browser closes its peer connection: its DTLS close_notify goes on the network (not yet delivered).</summary>
    public void CloseBrowserDtls() => _clientDtls.Close();

    /// <summary>One SRTP audio packet as the browser would send it, not yet sent.</summary>
    public byte[] ProtectedAudio()
    {
        var payload = new byte[160];
        Assert.True(RtpWriter.TryWrite(_buffer, new RtpPacketFields(new PayloadType(0), _sequence++, _timestamp += 160, new Ssrc(0xC0FFEE)), payload, out var length));
        Assert.Equal(SrtpResult.Ok, _clientSrtp!.ProtectRtp(_buffer, length, out var protectedLength));
        return _buffer.AsSpan(0, protectedLength).ToArray();
    }

    /// <summary>Hands a datagram straight to the server (copied into <paramref name="work"/>, as a socket's buffer), with no network in between.</summary>
    public void DeliverToServer(byte[] datagram, byte[] work)
    {
        datagram.CopyTo(work, 0);
        _now += TimeSpan.FromMilliseconds(1);
        Server.HandleDatagram(work.AsSpan(0, datagram.Length), BrowserAddress, _now);
    }

    public void SendAudio(TransportAddress? from = null)
    {
        var payload = new byte[160];
        Array.Fill(payload, (byte)0x55);
        Assert.True(RtpWriter.TryWrite(_buffer, new RtpPacketFields(new PayloadType(0), _sequence++, _timestamp += 160, new Ssrc(0xC0FFEE)), payload, out var length));
        Assert.Equal(SrtpResult.Ok, _clientSrtp!.ProtectRtp(_buffer, length, out var protectedLength));
        (from is { } spoofed ? _network.SenderFor(spoofed) : _clientSend).Send(_buffer.AsSpan(0, protectedLength), ServerAddress);
    }

    /// <summary>One key press as RFC 4733 packets (start, updates, three ends), sent as the sender schedules them.</summary>
    public void SendDigit(char symbol, TimeSpan duration)
    {
        Assert.True(DtmfEvents.TryFromSymbol(symbol, out var code));
        var packets = new DtmfPacket[DtmfSender.GetPacketCount(duration)];
        var count = DtmfSender.CreatePackets(code, _timestamp += 160, _now, duration, 8000, packets);
        Span<byte> payload = stackalloc byte[TelephoneEvent.Length];
        foreach (var p in packets.AsSpan(0, count))
        {
            Assert.True(p.Payload.TryWrite(payload));
            Assert.True(RtpWriter.TryWrite(_buffer, new RtpPacketFields(new PayloadType((byte)TelephoneEventPt), _sequence++, p.RtpTimestamp, new Ssrc(0xC0FFEE), p.Marker), payload, out var length));
            Assert.Equal(SrtpResult.Ok, _clientSrtp!.ProtectRtp(_buffer, length, out var protectedLength));
            _clientSend.Send(_buffer.AsSpan(0, protectedLength), ServerAddress);
            Run(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Advances the test clock by <paramref name="span"/> in steps, delivering what is in flight at each.</summary>
    public void Run(TimeSpan span)
    {
        var end = _now + span;
        while (_now < end)
        {
            _now += span < Step ? span : Step;
            if (ChecksEnabled && _now >= _nextCheck)
            {
                // A full agent checks often until connected, then every few seconds for consent (RFC 7675).
                var check = BrowserCheck.For(_serverUfrag, _serverPwd, _browserUfrag) with { UseCandidate = true };
                _clientSend.Send(check.Build(), ServerAddress);
                _nextCheck = _now + (_clientSrtp is null ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(2.5));
            }

            foreach (var d in _network.TakeReordered())
            {
                if (d.To == ServerAddress)
                {
                    Server.HandleDatagram(d.Data, d.From, _now);
                }
                else
                {
                    OnClientDatagram(d.Data, d.To);
                }
            }

            Server.Poll(_now);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await _clientDtls.DisposeAsync();
        _clientSrtp?.Dispose();
    }

    /// <summary>
    /// The browser's network changed: from now on it sends from <paramref name="newAddress"/>, and it offers
    /// an ICE restart with <paramref name="offer"/> (made with <see cref="Offer"/>). On success its checks use
    /// the answer's new credentials (they nominate at once, as Chromium's do against a lite agent).
    /// </summary>
    public bool RestartIce(TransportAddress newAddress, string offer, out string answer, out WebRtcLegError error)
    {
        if (!Server.TryRestartIce(offer, out answer, out error))
        {
            return false;
        }

        _serverUfrag = Regex.Match(answer, "a=ice-ufrag:(\\S+)").Groups[1].Value;
        _serverPwd = Regex.Match(answer, "a=ice-pwd:(\\S+)").Groups[1].Value;
        _browserUfrag = Regex.Match(offer, "a=ice-ufrag:(\\S+)").Groups[1].Value;
        BrowserAt = newAddress;
        _clientSend = _network.SenderFor(newAddress);
        _nextCheck = _now;
        return true;
    }

    private void OnClientDatagram(byte[] data, TransportAddress to)
    {
        switch (MediaDemux.Classify(data))
        {
            case DatagramKind.Stun:
                CheckResponsesReceived++;
                break;
            case DatagramKind.Dtls:
                DtlsReceived++;
                _clientDtls.OnDatagram(data);
                break;
            case DatagramKind.Rtp when _clientSrtp is not null:
                if (_clientSrtp.UnprotectRtp(data, data.Length, out var plainLength) == SrtpResult.Ok)
                {
                    EchoesReceived++;
                    EchoesTo.AddOrUpdate(to, 1, (_, n) => n + 1);
                    ReceivedRtp.Enqueue(data[..plainLength]);
                }
                else
                {
                    ClientSrtpFailures++;
                }

                break;
            case DatagramKind.Rtcp when _clientSrtp is not null:
                if (_clientSrtp.UnprotectRtcp(data, data.Length, out _) != SrtpResult.Ok)
                {
                    ClientSrtpFailures++;
                }

                break;
            default:
                break;
        }
    }

    private void FlushClientDtls()
    {
        var buffer = new byte[DtlsLimits.MaxDatagramSize];
        while (_clientDtls.TryDequeueOutgoing(buffer, out var length))
        {
            _clientSend.Send(buffer.AsSpan(0, length), ServerAddress);
        }
    }

    /// <summary>A Chromium-like offer; a re-offer for an ICE restart changes <paramref name="ufrag"/> and <paramref name="pwd"/>, a refused one the codecs.</summary>
    internal static string Offer(DtlsFingerprint fingerprint, string ufrag = "brws", string pwd = "browserpassword1234567890", string formats = "111 0 8 126") => string.Join("\r\n",
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "m=audio 9 UDP/TLS/RTP/SAVPF " + formats,
        "c=IN IP4 0.0.0.0",
        "a=ice-ufrag:" + ufrag,
        "a=ice-pwd:" + pwd,
        "a=ice-options:trickle",
        "a=fingerprint:" + fingerprint,
        "a=setup:actpass",
        "a=mid:0",
        "a=sendrecv",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:126 telephone-event/8000",
        "");
}
