using System.Net;
using Switchboard.Media.Dtls;
using Switchboard.Media.Stun;
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
    private static readonly TimeSpan Step = InMemoryCall.Step;

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
    public async Task Browser_close_notify_ends_the_session_inside_HandleDatagram()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 13, loss: 0);
        await call.ConnectAsync();

        call.CloseBrowserDtls();
        var dtls = call.Network.TakeReordered().Where(d => d.To == InMemoryCall.ServerAddress && d.Data[0] is >= 20 and <= 63).ToList();
        Assert.NotEmpty(dtls);
        foreach (var d in dtls)
        {
            call.Server.HandleDatagram(d.Data, d.From, call.Now);
        }

        // No Poll, no wake-up: the DTLS layer raised Closed on this thread and the session took it at once.
        Assert.True(call.Server.Ended);
        Assert.Contains(call.Events, e => e.Kind == WebRtcLegEventKind.ClosedByPeer);
    }

    [Fact]
    public async Task The_handshake_runs_on_the_given_pool_and_no_worker_stays_with_the_call()
    {
        using var pool = new DtlsHandshakePool(1, "dtls-t-sess");
        await using var call = await InMemoryCall.StartAsync(seed: 15, loss: 0, serverPool: pool);
        await call.ConnectAsync();
        await call.RunUntilAsync(() => pool.BusyCount == 0, TimeSpan.FromSeconds(5), "the worker let go");

        Assert.Equal(1, pool.CompletedCount);
        for (var i = 0; i < 20; i++)
        {
            call.SendAudio();
            call.Run(Step);
        }

        call.Run(TimeSpan.FromMilliseconds(100));
        Assert.Equal(20, call.EchoesReceived);
        Assert.Equal(0, pool.BusyCount);
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
}
