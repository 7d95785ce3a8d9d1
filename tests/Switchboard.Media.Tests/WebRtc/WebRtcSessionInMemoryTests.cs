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
using Switchboard.Media.Srtp;
using Switchboard.Media.Stun;
using Switchboard.Media.Tests.Ice;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.WebRtc;

/// <summary>
/// Our server session against a browser made of our own building blocks (STUN checks, the
/// BouncyCastle DTLS client, our SRTP), across a simulated network that loses and reorders, on a
/// clock the test advances. Only the DTLS engine's retransmission timer runs on the wall clock
/// (BouncyCastle reads it itself), so waits for the handshake are bounded in real time.
/// </summary>
public sealed class WebRtcSessionInMemoryTests
{
    private static readonly TransportAddress ServerAddress = TransportAddress.Create(IPAddress.Parse("127.0.0.1"), 40000);
    private static readonly TransportAddress BrowserAddress = TransportAddress.Create(IPAddress.Parse("127.0.0.2"), 50000);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.1)]
    [InlineData(3, 0.2)]
    public async Task Ice_dtls_and_srtp_both_ways_then_consent_expires(int seed, double loss)
    {
        await using var call = await InMemoryCall.StartAsync(seed, loss);

        await call.ConnectAsync();

        // 200 packets of audio (4 s at 20 ms): the echo returns what arrives, through loss and reordering.
        for (var i = 0; i < 200; i++)
        {
            call.SendAudio();
            call.Run(Step);
        }

        call.Run(TimeSpan.FromMilliseconds(200));
        Assert.InRange(call.EchoesReceived, (int)(200 * (1 - loss) * (1 - loss) * 0.8), 200);
        Assert.Equal(0, call.Server.Counters.SrtpFailures);
        Assert.Equal(0, call.ClientSrtpFailures);
        Assert.True(call.Server.Counters.RtcpPacketsSent > 0, "the server sent RTCP reports while media flowed");

        // Consent checks every 2.5 s kept the session alive through the media phase, losses included.
        Assert.DoesNotContain(call.Events, e => e.Kind == WebRtcLegEventKind.ConsentLost);

        // The browser goes silent: 30 s after its last check that arrived, the server gives up (RFC 7675).
        call.ChecksEnabled = false;
        call.Run(TimeSpan.FromSeconds(31));
        Assert.Contains(call.Events, e => e.Kind == WebRtcLegEventKind.ConsentLost);
        Assert.True(call.Server.Ended);
    }

    [Fact]
    public async Task Rfc4733_digits_arrive_once_each_with_their_duration_despite_reordering()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 7, loss: 0);
        await call.ConnectAsync();

        foreach (var digit in "12#")
        {
            call.SendDigit(digit, TimeSpan.FromMilliseconds(120));
            call.Run(TimeSpan.FromMilliseconds(300));
        }

        var digits = call.Events.Where(e => e.Kind == WebRtcLegEventKind.Dtmf).Select(e => e.Digit).ToList();
        Assert.Equal("12#", string.Concat(digits.Select(d => d.Symbol)));
        Assert.All(digits, d => Assert.InRange(d.GetDuration(8000).TotalMilliseconds, 100, 160));
    }

    [Fact]
    public async Task Media_from_an_address_other_than_the_selected_pair_is_dropped()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 9, loss: 0);
        await call.ConnectAsync();
        var before = call.Server.Counters;

        call.SendAudio(from: TransportAddress.Create(IPAddress.Parse("127.0.0.3"), 50000));
        call.Run(Step);

        Assert.Equal(before.AudioPacketsReceived, call.Server.Counters.AudioPacketsReceived);
        Assert.True(call.Server.Counters.DroppedDatagrams > before.DroppedDatagrams);
    }

    [Fact]
    public async Task Receiving_and_echoing_audio_allocates_nothing_per_packet()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 11, loss: 0);
        await call.ConnectAsync();
        var packets = Enumerable.Range(0, 300).Select(_ => call.ProtectedAudio()).ToArray();
        var work = new byte[1500];
        call.Network.Blackhole = true;

        // Warm-up (JIT, first-use paths), then measure the server's per-datagram path alone.
        for (var i = 0; i < 100; i++)
        {
            call.DeliverToServer(packets[i], work);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < 300; i++)
        {
            call.DeliverToServer(packets[i], work);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(call.Server.Counters.AudioPacketsSent >= 300, "every packet was echoed");
    }

    /// <summary>The two ends, the network between them, and the test's clock (the relay tests use it too).</summary>
    internal sealed class InMemoryCall : IAsyncDisposable
    {
        private readonly SimulatedNetwork _network;
        private readonly IDtlsEndpoint _clientDtls;
        private readonly IDatagramSender _clientSend;
        private readonly string _serverUfrag;
        private readonly string _serverPwd;
        private readonly byte[] _buffer = new byte[1500];
        private readonly ConcurrentQueue<DtlsSrtpKeys> _clientKeys = new();
        private SrtpSession? _clientSrtp;
        private TimeSpan _now;
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

        public bool ChecksEnabled { get; set; } = true;

        public int EchoesReceived { get; private set; }

        /// <summary>Every RTP packet the browser received, decrypted.</summary>
        public ConcurrentQueue<byte[]> ReceivedRtp { get; } = new();

        public int ClientSrtpFailures { get; private set; }

        public static async Task<InMemoryCall> StartAsync(int seed, double loss)
        {
            var network = new SimulatedNetwork(seed) { Loss = loss };
            var time = TimeProvider.System;
            var serverCert = DtlsCertificate.GetProcessCertificate(time);
            var clientCert = DtlsCertificate.Generate(time, TimeSpan.FromDays(1));
            var offer = Offer(clientCert.Fingerprint);
            var events = new ConcurrentQueue<WebRtcLegEvent>();
            var server = WebRtcSession.TryCreate(offer, new WebRtcSessionOptions
            {
                AdvertisedAddress = IPAddress.Loopback,
                Port = ServerAddress.Port,
                Certificate = serverCert,
                CodecPreferences = [SdpCodec.Pcmu, SdpCodec.Pcma],
            }, network.SenderFor(ServerAddress), events.Enqueue, out var error);
            Assert.Equal(WebRtcLegError.None, error);
            Assert.NotNull(server);
            server.AudioMode = LegAudioMode.Echo;
            var ufrag = Regex.Match(server.AnswerSdp, "a=ice-ufrag:(\\S+)").Groups[1].Value;
            var pwd = Regex.Match(server.AnswerSdp, "a=ice-pwd:(\\S+)").Groups[1].Value;
            Assert.Contains("a=setup:passive", server.AnswerSdp, StringComparison.Ordinal);
            Assert.Contains("a=ice-lite", server.AnswerSdp, StringComparison.Ordinal);
            Assert.Contains("a=fingerprint:" + serverCert.Fingerprint, server.AnswerSdp, StringComparison.Ordinal);

            var clientDtls = BouncyCastleDtlsEndpoint.CreateClient(new DtlsEndpointOptions
            {
                Certificate = clientCert,
                ExpectedRemoteFingerprints = [serverCert.Fingerprint],
                HandshakeTimeout = TimeSpan.FromSeconds(20),
            });
            var call = new InMemoryCall(network, server, events, clientDtls, ufrag, pwd);
            server.Start();
            return await Task.FromResult(call);
        }

        /// <summary>Runs the clock until ICE selected a pair and DTLS-SRTP is up on both ends (bounded: 20 s of real time).</summary>
        public async Task ConnectAsync()
        {
            // Neither lossy nor reordered while connecting: DTLS recovery runs on BouncyCastle's wall-clock
            // timers (1, 2, 4 s), which this test's fast clock cannot drive; the DTLS tests cover lost,
            // reordered and fragmented flights. Loss and reordering apply to everything after.
            _network.Lossy = false;
            var deadline = Stopwatch.StartNew();
            _clientDtls.Start();
            while (!(Events.Any(e => e.Kind == WebRtcLegEventKind.MediaConnected) && _clientSrtp is not null))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20),
                    $"ICE + DTLS did not complete: server events [{string.Join(", ", Events.Select(e => e.Kind + " " + e.Detail))}], client keys {_clientSrtp is not null}, server counters {Server.Counters}");
                Run(Step);
                await Task.Delay(1); // the DTLS workers run on their own threads
                if (_clientSrtp is null && _clientKeys.TryDequeue(out var keys))
                {
                    Assert.True(SrtpSession.TryCreateFromDtls(keys.SrtpProfileId, keys.KeyingMaterial, keys.IsServer, out _clientSrtp));
                }
            }

            _network.Lossy = true;
        }

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
                Assert.True(RtpWriter.TryWrite(_buffer, new RtpPacketFields(new PayloadType(126), _sequence++, p.RtpTimestamp, new Ssrc(0xC0FFEE), p.Marker), payload, out var length));
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
                    var check = BrowserCheck.For(_serverUfrag, _serverPwd, "brws") with { UseCandidate = true };
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
                        OnClientDatagram(d.Data);
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

        private void OnClientDatagram(byte[] data)
        {
            switch (MediaDemux.Classify(data))
            {
                case DatagramKind.Dtls:
                    _clientDtls.OnDatagram(data);
                    break;
                case DatagramKind.Rtp when _clientSrtp is not null:
                    if (_clientSrtp.UnprotectRtp(data, data.Length, out var plainLength) == SrtpResult.Ok)
                    {
                        EchoesReceived++;
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

        internal static string Offer(DtlsFingerprint fingerprint) => string.Join("\r\n",
            "v=0",
            "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126",
            "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:brws",
            "a=ice-pwd:browserpassword1234567890",
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
}
