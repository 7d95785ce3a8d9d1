using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Demux;
using Switchboard.Media.Dtls;
using Switchboard.Media.Phone;
using Switchboard.Media.Rtp;
using Switchboard.Media.Sdp;
using Switchboard.Media.Srtp;
using Switchboard.Media.Tests.Dtls;
using Switchboard.Media.Tests.Ice;
using Switchboard.Media.WebRtc;
using Switchboard.Media.Tests.WebRtc;

namespace Switchboard.Media.Tests.Relay;

/// <summary>
/// The socket adapters bridged for real on 127.0.0.1: a browser made of our blocks (STUN checks, the
/// BouncyCastle DTLS client, our SRTP) on a UDP socket, a <see cref="WebRtcLeg"/> and an
/// <see cref="RtpLeg"/> relaying through each other's <c>OnRelayedRtp</c> on their own loops, and a
/// raw phone. Bounded in real time (20 s to connect, 5 s per packet).
/// </summary>
public sealed class WebRtcLegRelayTests
{
    [Fact]
    public async Task Browser_and_phone_hear_each_other_through_both_legs_loops()
    {
        var pool = RawPhone.Pool();
        var serverCert = DtlsCertificate.GetProcessCertificate(TimeProvider.System);
        var clientCert = DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1));
        var events = new ConcurrentQueue<WebRtcLegEvent>();
        await using var webRtc = WebRtcLeg.TryCreate(InMemoryCall.Offer(clientCert.Fingerprint), [SdpCodec.Pcmu], pool, serverCert,
            Shards.TestShard.Shared, NullLogger.Instance, events.Enqueue, out var error);
        Assert.NotNull(webRtc);
        await using var rtp = RtpLeg.TryCreate(pool, Shards.TestShard.Shared, NullLogger.Instance, _ => { });
        Assert.NotNull(rtp);
        using var phone = new RawPhone(0xF1F1F1F1);
        rtp.SetRemote(phone.EndPoint, RawPhone.Audio(0, 101));
        webRtc.RelayTo = rtp;
        webRtc.AudioMode = LegAudioMode.Relay;
        rtp.RelayTo = webRtc;
        rtp.AudioMode = LegAudioMode.Relay;
        webRtc.Start();
        rtp.Start();

        await using var browser = new UdpBrowser(clientCert, serverCert, webRtc.LocalPort, webRtc.AnswerSdp);
        await browser.ConnectAsync(() => events.Any(e => e.Kind == WebRtcLegEventKind.MediaConnected));

        // Browser -> WebRTC leg (SRTP off) -> RtpLeg -> phone.
        browser.SendAudio(fill: 0x5A);
        var atPhone = await phone.ReceiveAsync();
        Assert.NotNull(atPhone);
        Assert.Equal(0x5A, atPhone[^1]);

        // Phone -> RtpLeg -> WebRTC leg (SRTP on, our stream) -> browser.
        phone.SendTo(phone.AudioPacket(0, fill: 0x6B), rtp.LocalPort);
        var atBrowser = await browser.ReceiveRtpAsync();
        Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(atBrowser, out var header));
        Assert.Equal(webRtc.Session.LocalSsrc, header.Ssrc.Value);
        Assert.Equal(0x6B, atBrowser[^1]);
    }

    /// <summary>The browser's side on a real UDP socket: checks until DTLS-SRTP is up, then SRTP.</summary>
    private sealed class UdpBrowser : IAsyncDisposable
    {
        private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly IPEndPoint _server;
        private readonly BouncyCastleDtlsEndpoint _dtls;
        private readonly ConcurrentQueue<DtlsSrtpKeys> _keys = new();
        private readonly ConcurrentQueue<byte[]> _rtp = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly string _ufrag;
        private readonly string _pwd;
        private readonly Task _receiving;
        private SrtpSession? _srtp;
        private ushort _sequence;
        private uint _timestamp;

        public UdpBrowser(DtlsCertificate own, DtlsCertificate server, int serverPort, string answer)
        {
            _server = new IPEndPoint(IPAddress.Loopback, serverPort);
            _ufrag = Regex.Match(answer, "a=ice-ufrag:(\\S+)").Groups[1].Value;
            _pwd = Regex.Match(answer, "a=ice-pwd:(\\S+)").Groups[1].Value;
            _dtls = BouncyCastleDtlsEndpoint.CreateClient(new DtlsEndpointOptions
            {
                Certificate = own,
                ExpectedRemoteFingerprints = [server.Fingerprint],
                HandshakeTimeout = TimeSpan.FromSeconds(20),
                HandshakePool = TestPeerPool.Instance,
            });
            _dtls.OutgoingAvailable += FlushDtls;
            _dtls.HandshakeCompleted += _keys.Enqueue;
            _receiving = Task.Run(ReceiveAsync);
        }

        public async Task ConnectAsync(Func<bool> serverConnected)
        {
            var deadline = Stopwatch.StartNew();
            _dtls.Start();
            while (!(serverConnected() && _srtp is not null))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "ICE + DTLS over UDP did not complete");
                _socket.Send((BrowserCheck.For(_ufrag, _pwd, "brws") with { UseCandidate = true }).Build(), _server);
                await Task.Delay(50); // checks are paced like a browser's; the legs run on their own loops
                if (_srtp is null && _keys.TryDequeue(out var keys))
                {
                    Assert.True(SrtpSession.TryCreateFromDtls(keys.SrtpProfileId, keys.KeyingMaterial, keys.IsServer, out _srtp));
                }
            }
        }

        public void SendAudio(byte fill)
        {
            var buffer = new byte[1500];
            var payload = new byte[160];
            Array.Fill(payload, fill);
            Assert.True(RtpWriter.TryWrite(buffer, new RtpPacketFields(new PayloadType(0), _sequence++, _timestamp += 160, new Ssrc(0xC0FFEE)), payload, out var length));
            Assert.Equal(SrtpResult.Ok, _srtp!.ProtectRtp(buffer, length, out var protectedLength));
            _socket.Send(buffer, protectedLength, _server);
        }

        /// <summary>The next SRTP packet from the server, decrypted (RTCP is skipped).</summary>
        public async Task<byte[]> ReceiveRtpAsync()
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                if (_rtp.TryDequeue(out var packet))
                {
                    return packet;
                }

                await Task.Delay(5);
            }

            Assert.Fail("no RTP reached the browser");
            return [];
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            await _receiving;
            await _dtls.DisposeAsync();
            _srtp?.Dispose();
            _stop.Dispose();
        }

        private async Task ReceiveAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var result = await _socket.ReceiveAsync(_stop.Token);
                    var data = result.Buffer;
                    switch (MediaDemux.Classify(data))
                    {
                        case DatagramKind.Dtls:
                            _dtls.OnDatagram(data);
                            break;
                        case DatagramKind.Rtp when Volatile.Read(ref _srtp) is { } srtp:
                            if (srtp.UnprotectRtp(data, data.Length, out var length) == SrtpResult.Ok)
                            {
                                _rtp.Enqueue(data[..length]);
                            }

                            break;
                        default:
                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Closing.
            }
        }

        private void FlushDtls()
        {
            var buffer = new byte[DtlsLimits.MaxDatagramSize];
            while (_dtls.TryDequeueOutgoing(buffer, out var length))
            {
                _socket.Send(buffer, length, _server);
            }
        }
    }
}
