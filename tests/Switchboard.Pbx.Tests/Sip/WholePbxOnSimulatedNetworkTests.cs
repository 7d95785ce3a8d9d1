using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Media.Shards;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>
/// The whole PBX with nothing real under it: SIP on the in-memory SIP network, media on the in-memory
/// datagram network (with loss and reordering) polled by the media shards, and every timer on a fake
/// clock that only the test moves. Real time only bounds the waits.
/// </summary>
public sealed class WholePbxOnSimulatedNetworkTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Audio_and_a_digit_cross_a_lossy_reordering_media_network_and_the_record_has_the_digit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var network = new InMemoryMediaNetwork(lossRate: 0.1, reorderRate: 0.2, seed: 7);
        await using var pbx = await PbxUnderTest.StartAsync(media: network, time: time);
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        Assert.Equal(200, (await alice.RegisterAsync()).StatusCode);
        Assert.Equal(200, (await bob.RegisterAsync()).StatusCode);

        var call = alice.CallAsync("101");
        var invite = await bob.WaitForRequestAsync("INVITE");
        await bob.AnswerAsync(invite);
        Assert.Equal(200, (await call).StatusCode);

        // 200 packets from Alice, 20 ms apart on the fake clock: each crosses the network twice (phone to PBX, PBX to phone).
        var toPbx = alice.RemoteRtp();
        for (ushort seq = 1; seq <= 200; seq++)
        {
            alice.SendRtp(WholePbxTests.Rtp(0, seq, 160), toPbx);
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        var sequences = new List<ushort>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                while (true)
                {
                    var packet = await bob.ReceiveRtpAsync(cts.Token);
                    if ((packet[1] & 0x7f) == 0)
                    {
                        Assert.Equal(12 + 160, packet.Length);
                        sequences.Add(BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Everything that survived the network has arrived.
            }
        }

        // About 0.9 x 0.9 of them arrive; the relay itself loses nothing, and it passes reordering through.
        Assert.InRange(sequences.Count, 130, 199);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.Contains(sequences.Zip(sequences.Skip(1)), pair => pair.Second < pair.First);
        Assert.True(network.Dropped > 0);

        // RFC 4733 digit 5: start, updates, three ends (section 2.5.1.4, redundancy against loss).
        ushort duration = 0;
        for (ushort seq = 300; seq < 307; seq++)
        {
            var end = seq >= 304;
            duration = end ? (ushort)800 : (ushort)(duration + 160);
            alice.SendRtp(WholePbxTests.Dtmf(seq, digit: 5, end, duration), toPbx);
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        // If every end packet was lost, the detector's timeout ends the digit: on the fake clock.
        await pbx.SettleMediaAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        await pbx.SettleMediaAsync();
        var bye = await alice.SendInDialogAsync(SipMethod.Bye);
        Assert.Equal(200, bye.StatusCode);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", Bound);
        Assert.Equal("hangup", record.Reason);
        Assert.Equal("5", record.Digits);
    }

    [Fact]
    public async Task A_call_the_ivr_transferred_to_a_person_is_not_cut_at_the_services_one_hour_limit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var network = new InMemoryMediaNetwork();
        var calls = new Switchboard.Pbx.Calls.CallOptions { RtpTimeout = TimeSpan.FromHours(3) };
        await using var pbx = await PbxUnderTest.StartAsync(calls, WholePbxTests.TeamMenu(), network, time);
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        Assert.Equal(200, (await alice.CallAsync("*50")).StatusCode);

        // Key 1 rings the group; Bob answers: from here the ordinary 4 h maximum applies, not the IVR's 1 h.
        await WholePbxTests.PressAsync(alice, digit: 1);
        await pbx.SettleMediaAsync();
        await bob.AnswerAsync(await bob.WaitForRequestAsync("INVITE"));
        await WaitUntilAsync(() => pbx.Engine.ActiveCalls == 1 && bob.Dialog is not null);

        time.Advance(TimeSpan.FromMinutes(61));
        await pbx.SettleMediaAsync();
        // Real time for the call's loop to act on the fake clock's jump, if it were going to.
        await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System);

        Assert.Equal(1, pbx.Engine.ActiveCalls);
        Assert.DoesNotContain(await pbx.Records.ListAsync(100), r => r.Destination == "*50");

        await alice.SendInDialogAsync(SipMethod.Bye);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "*50", Bound);
        Assert.Equal("hangup", record.Reason);
        Assert.Equal("caller", record.EndedBy);
    }

    [Fact]
    public async Task A_lossy_call_shows_both_legs_quality_live_and_its_record_keeps_loss_and_a_lower_mos()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 13, 0, 0, TimeSpan.Zero));
        var network = new InMemoryMediaNetwork(lossRate: 0.1, reorderRate: 0, seed: 11);
        await using var pbx = await PbxUnderTest.StartAsync(media: network, time: time);
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        var call = alice.CallAsync("101");
        await bob.AnswerAsync(await bob.WaitForRequestAsync("INVITE"));
        Assert.Equal(200, (await call).StatusCode);

        // 12 s of audio both ways, 20 ms apart on the fake clock: two RTCP intervals of the PBX's legs pass meanwhile.
        var aliceToPbx = alice.RemoteRtp();
        var bobToPbx = bob.RemoteRtp();
        for (ushort seq = 1; seq <= 600; seq++)
        {
            alice.SendRtp(WholePbxTests.Rtp(0, seq, 160), aliceToPbx);
            bob.SendRtp(WholePbxTests.Rtp(0, seq, 160), bobToPbx);

            // Each packet is taken in at the fake time it was sent: the jitter measured is the network's (none), not the test's pace.
            await pbx.SettleMediaAsync();
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        // The live view carries both legs' figures of the last interval: about 10 % lost on the way in to the PBX.
        await WaitUntilAsync(() => pbx.Engine.LiveCalls(null) is [{ CallerQuality: not null, CalleeQuality: not null }]);
        var live = Assert.Single(pbx.Engine.LiveCalls(null));
        Assert.InRange(live.CallerQuality!.LossPercent, 2, 25);
        Assert.InRange(live.CalleeQuality!.LossPercent, 2, 25);

        await alice.SendInDialogAsync(SipMethod.Bye);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", Bound);

        // Over the call: 600 sent, about 60 lost, each way; no jitter. G.711 with PLC at ~10 % loss: Ie_eff = 95 x 10 / 35.1
        // = 27, R = 93.2 - 0.96 - 27 = 65, MOS about 3.4 (2.85 at 16 %, 3.9 at 5 %); a clean leg would be 4.39 (EModelTests).
        foreach (var leg in new[] { record.CallerQuality, record.CalleeQuality })
        {
            Assert.NotNull(leg);
            Assert.InRange(leg.LossPercent, 5, 16);
            Assert.InRange(leg.Mos, 2.8, 4.0);
            Assert.Null(leg.RoundTripMs);
        }

        // The engine's sums for metrics moved by this call's two legs.
        var totals = pbx.Engine.Quality.Snapshot();
        Assert.Equal(2, totals.Legs);
        Assert.InRange(totals.PacketsExpected, 1100, 1200);
        Assert.InRange((double)totals.PacketsLost / totals.PacketsExpected, 0.05, 0.16);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
