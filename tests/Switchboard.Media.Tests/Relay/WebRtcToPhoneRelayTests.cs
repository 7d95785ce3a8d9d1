using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Phone;
using Switchboard.Media.Relay;
using Switchboard.Media.Rtp;
using Switchboard.Media.WebRtc;
using Switchboard.Media.Tests.WebRtc;

namespace Switchboard.Media.Tests.Relay;

/// <summary>
/// The whole media path of a click-to-call: a browser built from our blocks sends SRTP to our WebRTC
/// session (in memory), which relays plain RTP into an <see cref="RtpLeg"/> that sends it over UDP to
/// a raw phone on 127.0.0.1; and back. The session is driven by the test's thread, so what the
/// RtpLeg's loop relays towards the browser is queued and handed to the session on that thread
/// (the role <see cref="WebRtcLeg"/>'s lock plays in the server).
/// </summary>
public sealed class WebRtcToPhoneRelayTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task Audio_and_digits_cross_between_browser_and_phone_both_ways()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 13, loss: 0);
        var toBrowser = new QueueSink();
        using var phone = new RawPhone(0xF0F0F0F0);
        await using var leg = RtpLeg.TryCreate(RawPhone.Pool(), Shards.TestShard.Shared, NullLogger.Instance, _ => { });
        Assert.NotNull(leg);

        // Before DTLS-SRTP is up, relayed packets are dropped silently.
        var early = phone.AudioPacket(0);
        call.Server.SendRelayedRtp(early, RelayedPayload.Audio, TimeSpan.Zero);
        Assert.Equal(1, call.Server.Counters.DroppedDatagrams);

        await call.ConnectAsync();
        leg.SetRemote(phone.EndPoint, RawPhone.Audio(0, 101));
        leg.RelayTo = toBrowser;
        leg.AudioMode = LegAudioMode.Relay;
        leg.Start();
        call.Server.RelayTo = leg;
        call.Server.AudioMode = LegAudioMode.Relay;

        // Browser -> phone: SRTP decrypted, relayed as plain RTP.
        call.SendAudio();
        call.Run(Step);
        var atPhone = await phone.ReceiveAsync();
        Assert.NotNull(atPhone);
        Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(atPhone, out var header));
        Assert.Equal(0, header.PayloadType.Value);
        Assert.Equal(0x55, atPhone[^1]);

        // Browser's key press (telephone-event 126) -> phone's telephone-event 101, and a Dtmf event on the WebRTC side.
        call.SendDigit('9', TimeSpan.FromMilliseconds(120));
        call.Run(TimeSpan.FromMilliseconds(200));
        header = await phone.ReceiveRtpAsync();
        Assert.Equal(101, header.PayloadType.Value);
        Assert.Contains(call.Events, e => e.Kind == WebRtcLegEventKind.Dtmf && e.Digit.Symbol == '9');

        // Phone -> browser: plain RTP protected as the session's own stream with the browser's payload types.
        phone.SendTo(phone.AudioPacket(0, fill: 0x77), leg.LocalPort);
        foreach (var packet in phone.DigitPackets('4', 101))
        {
            phone.SendTo(packet, leg.LocalPort);
        }

        var relayed = await toBrowser.TakeAsync(1 + DtmfSender.GetPacketCount(TimeSpan.FromMilliseconds(100)));
        foreach (var (packet, kind) in relayed)
        {
            call.Server.SendRelayedRtp(packet, kind, call.Now);
        }

        call.Run(Step);
        var received = call.ReceivedRtp.Select(p => (Ok: RtpHeader.TryParse(p, out var h) == RtpParseStatus.Ok, Header: h, Last: p[^1])).ToList();
        Assert.All(received, r => Assert.True(r.Ok));
        Assert.Contains(received, r => r.Header.PayloadType.Value == 0 && r.Last == 0x77 && r.Header.Ssrc.Value == call.Server.LocalSsrc);
        Assert.Contains(received, r => r.Header.PayloadType.Value == 126 && r.Header.Ssrc.Value == call.Server.LocalSsrc);
        Assert.Equal(0, call.ClientSrtpFailures);
        Assert.Equal(relayed.Count, call.Server.RelayedPacketsIn);
    }

    /// <summary>Copies what the RtpLeg's loop relays, for the test's thread to hand to the session.</summary>
    private sealed class QueueSink : IRtpSink
    {
        private readonly ConcurrentQueue<(byte[] Packet, RelayedPayload Kind)> _packets = new();

        public void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind, TimeSpan now) => _packets.Enqueue((rtp.ToArray(), kind));

        public async Task<List<(byte[] Packet, RelayedPayload Kind)>> TakeAsync(int count)
        {
            var taken = new List<(byte[], RelayedPayload)>();
            var deadline = Stopwatch.StartNew();
            while (taken.Count < count && deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                if (_packets.TryDequeue(out var p))
                {
                    taken.Add(p);
                }
                else
                {
                    await Task.Delay(5); // the leg's loop runs on its own thread, on real UDP
                }
            }

            Assert.Equal(count, taken.Count);
            return taken;
        }
    }
}
