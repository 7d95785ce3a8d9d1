using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Demux;
using Switchboard.Media.Dtls;
using Switchboard.Media.Sdp;
using Switchboard.Media.Tests.Dtls;
using Switchboard.Media.Tests.Ice;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.WebRtc;

/// <summary>
/// The offering leg on a real loopback UDP port: a browser-like client checks and starts DTLS at
/// once, and the answer comes later from another thread (the call's loop) while the leg's loop runs.
/// </summary>
public sealed class WebRtcLegOfferTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Answer_handed_over_from_another_thread_connects_a_leg_whose_browser_started_early()
    {
        using var cts = new CancellationTokenSource(Bound);
        using var pool = new MediaPortPool(new MediaOptions { PortMin = 46000, PortMax = 46999 });
        var serverCert = DtlsCertificate.GetProcessCertificate(TimeProvider.System);
        var clientCert = DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1));
        var events = new ConcurrentQueue<WebRtcLegEvent>();
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var leg = WebRtcLeg.TryCreateOffer([SdpCodec.Pcmu, SdpCodec.Pcma], pool, serverCert, Shards.TestShard.Shared, NullLogger.Instance,
            e =>
            {
                events.Enqueue(e);
                if (e.Kind == WebRtcLegEventKind.MediaConnected)
                {
                    connected.TrySetResult();
                }
            },
            out var error);
        Assert.Equal(WebRtcLegError.None, error);
        Assert.NotNull(leg);
        leg.Start();
        Assert.Contains("m=audio " + leg.LocalPort + " UDP/TLS/RTP/SAVPF 0 8 101", leg.OfferSdp, StringComparison.Ordinal);

        using var browser = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        browser.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var legEndPoint = new IPEndPoint(IPAddress.Loopback, leg.LocalPort);
        await using var clientDtls = BouncyCastleDtlsEndpoint.CreateClient(new DtlsEndpointOptions
        {
            Certificate = clientCert,
            ExpectedRemoteFingerprints = [serverCert.Fingerprint],
            HandshakeTimeout = Bound,
            HandshakePool = TestPeerPool.Instance,
        });
        clientDtls.OutgoingAvailable += () =>
        {
            var buffer = new byte[DtlsLimits.MaxDatagramSize];
            while (clientDtls.TryDequeueOutgoing(buffer, out var length))
            {
                browser.SendTo(buffer.AsSpan(0, length), SocketFlags.None, legEndPoint);
            }
        };

        var stunResponses = 0;
        var dtlsIn = 0;
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[1500];
            try
            {
                while (true)
                {
                    var result = await browser.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                    var data = buffer.AsSpan(0, result.ReceivedBytes);
                    switch (MediaDemux.Classify(data))
                    {
                        case DatagramKind.Stun:
                            Interlocked.Increment(ref stunResponses);
                            break;
                        case DatagramKind.Dtls:
                            Interlocked.Increment(ref dtlsIn);
                            clientDtls.OnDatagram(data);
                            break;
                        default:
                            break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The test is over.
            }
        });

        var ufrag = Regex.Match(leg.OfferSdp, "a=ice-ufrag:(\\S+)").Groups[1].Value;
        var pwd = Regex.Match(leg.OfferSdp, "a=ice-pwd:(\\S+)").Groups[1].Value;
        var checking = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!connected.Task.IsCompleted && await timer.WaitForNextTickAsync(cts.Token))
            {
                browser.SendTo(BrowserCheck.For(ufrag, pwd, "brws").Build(), SocketFlags.None, legEndPoint);
            }
        });

        // The browser checks and starts DTLS before its answer reaches us.
        while (Volatile.Read(ref stunResponses) == 0)
        {
            await Task.Delay(10, cts.Token);
        }

        clientDtls.Start();
        while (Volatile.Read(ref dtlsIn) == 0)
        {
            await Task.Delay(10, cts.Token);
        }

        Assert.DoesNotContain(events, e => e.Kind == WebRtcLegEventKind.MediaConnected);
        Assert.False(leg.ApplyAnswer(InMemoryCall.BrowserAnswer(clientCert.Fingerprint, "passive"), out error));
        Assert.Equal(WebRtcLegError.AnswerSetupNotActive, error);
        Assert.True(await Task.Run(() => leg.ApplyAnswer(InMemoryCall.BrowserAnswer(clientCert.Fingerprint, "active"), out error)), error.ToString());

        await connected.Task.WaitAsync(cts.Token);
        Assert.Equal(0, leg.Audio.Codec.PayloadType);
        await cts.CancelAsync();
        await Task.WhenAll(receiving, checking.ContinueWith(_ => { }, TaskScheduler.Default));
    }

    /// <summary>
    /// The call reads the callee's terms right after handing over the answer. From the leg's own shard the answer
    /// is applied at once; from elsewhere the accepted terms are readable at once too. (CI once saw the call fail
    /// with "No answer applied yet" when the answer was posted to the very shard that read it next.)
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_answers_terms_are_readable_as_soon_as_the_answer_is_handed_over(bool fromTheLegsShard)
    {
        using var pool = new MediaPortPool(new MediaOptions { PortMin = 46000, PortMax = 46999 });
        var serverCert = DtlsCertificate.GetProcessCertificate(TimeProvider.System);
        var clientCert = DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1));
        await using var leg = WebRtcLeg.TryCreateOffer([SdpCodec.Pcma, SdpCodec.Pcmu], pool, serverCert, Shards.TestShard.Shared, NullLogger.Instance, _ => { }, out var error);
        Assert.NotNull(leg);
        leg.Start();

        var payloadType = -1;
        void AnswerAndRead()
        {
            Assert.True(leg.ApplyAnswer(InMemoryCall.BrowserAnswer(clientCert.Fingerprint, "active"), out error), error.ToString());
            payloadType = leg.Audio.Codec.PayloadType;
        }

        if (fromTheLegsShard)
        {
            await leg.Shard.InvokeAsync(() =>
            {
                AnswerAndRead();
                return Task.CompletedTask;
            }).WaitAsync(Bound);
        }
        else
        {
            await Task.Run(AnswerAndRead).WaitAsync(Bound);
        }

        Assert.Equal(0, payloadType);
    }
}
