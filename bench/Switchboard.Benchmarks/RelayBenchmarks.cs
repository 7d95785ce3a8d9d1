using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Phone;
using Switchboard.Media.Rtp;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Benchmarks;

/// <summary>
/// The relay's own work per packet on a shard, without the kernel: phone A's packet into A's session
/// (demux, header, latching check, classification), the function call into B's session (payload type
/// mapped), and B's send, here to a sender that only counts. The load tool measures the same with sockets.
/// </summary>
[MemoryDiagnoser]
public class RelayBenchmarks
{
    private readonly byte[] _packet = new byte[172];
    private readonly CountingSender _sent = new();
    private RtpSession _a = null!;
    private SocketAddress _phoneA = null!;

    [GlobalSetup]
    public void Setup()
    {
        RtpWriter.TryWrite(_packet, new RtpPacketFields(PayloadType.Pcmu, 1, 160, new Ssrc(0xA0A0A0A0)), new byte[160], out _);
        var phoneA = new IPEndPoint(IPAddress.Loopback, 30002);
        var phoneB = new IPEndPoint(IPAddress.Loopback, 30003);
        _phoneA = phoneA.Serialize();
        _a = new RtpSession(_sent, AddressFamily.InterNetwork, 40000, NullLogger.Instance, _ => { });
        var b = new RtpSession(_sent, AddressFamily.InterNetwork, 40001, NullLogger.Instance, _ => { });
        _a.SetRemote(phoneA, Audio(0));
        b.SetRemote(phoneB, Audio(97));
        _a.RelayTo = b;
        _a.AudioMode = LegAudioMode.Relay;

        // The measured path must be the relay, not a drop: one packet in, one packet out.
        var sent = _sent.Count;
        RtpToRtpRelay();
        if (_sent.Count != sent + 1 || b.Counters.PacketsSent != 1)
        {
            throw new InvalidOperationException("The benchmark packet was not relayed.");
        }
    }

    [Benchmark]
    public long RtpToRtpRelay()
    {
        _a.HandleDatagram(_packet, _phoneA, TimeSpan.FromSeconds(1));
        return _sent.Count;
    }

    private static SdpNegotiatedAudio Audio(int payloadType) => new(
        null, new SdpPayloadFormat(payloadType, SdpCodec.Pcmu), new SdpPayloadFormat(101, SdpCodec.TelephoneEvent8000, "0-16"),
        SdpDirection.SendRecv, null, 0, null, null, [], 20);

    private sealed class CountingSender : IRtpSender
    {
        public long Count;

        public bool Send(ReadOnlySpan<byte> packet, SocketAddress destination)
        {
            Count++;
            return true;
        }
    }
}
