using System.Net;
using System.Net.Sockets;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Rtp;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.Relay;

/// <summary>A SIP phone's media reduced to a UDP socket on 127.0.0.1 that writes and reads RTP.</summary>
internal sealed class RawPhone : IDisposable
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);
    private readonly byte[] _buffer = new byte[1500];
    private ushort _sequence = 1000;
    private uint _timestamp = 16000;

    public RawPhone(uint ssrc) => Ssrc = new Ssrc(ssrc);

    public UdpClient Socket { get; } = new(new IPEndPoint(IPAddress.Loopback, 0));

    public IPEndPoint EndPoint => (IPEndPoint)Socket.Client.LocalEndPoint!;

    public Ssrc Ssrc { get; }

    /// <summary>A leg's remote description for a phone: the codec's and telephone-event's payload types.</summary>
    public static SdpNegotiatedAudio Audio(int codecPayloadType, int? telephoneEventPayloadType) => new(
        null,
        new SdpPayloadFormat(codecPayloadType, SdpCodec.Pcmu),
        telephoneEventPayloadType is { } te ? new SdpPayloadFormat(te, SdpCodec.TelephoneEvent8000, "0-16") : null,
        SdpDirection.SendRecv, null, 0, null, null, [], 20);

    /// <summary>A media port pool on 127.0.0.1 in a range this test process is unlikely to share.</summary>
    public static MediaPortPool Pool()
    {
        var first = 20000 + (Random.Shared.Next(200) * 100);
        return new MediaPortPool(new MediaOptions { BindAddress = IPAddress.Loopback, PortMin = first, PortMax = first + 99 });
    }

    public byte[] AudioPacket(int payloadType, byte fill = 0x55)
    {
        var payload = new byte[160];
        Array.Fill(payload, fill);
        Assert.True(RtpWriter.TryWrite(_buffer, new RtpPacketFields(new PayloadType((byte)payloadType), _sequence++, _timestamp += 160, Ssrc), payload, out var length));
        return _buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>One key press as its RFC 4733 packets.</summary>
    public List<byte[]> DigitPackets(char symbol, int payloadType)
    {
        Assert.True(DtmfEvents.TryFromSymbol(symbol, out var code));
        var duration = TimeSpan.FromMilliseconds(100);
        var packets = new DtmfPacket[DtmfSender.GetPacketCount(duration)];
        var count = DtmfSender.CreatePackets(code, _timestamp += 160, TimeSpan.Zero, duration, 8000, packets);
        var result = new List<byte[]>();
        Span<byte> payload = stackalloc byte[TelephoneEvent.Length];
        foreach (var p in packets.AsSpan(0, count))
        {
            Assert.True(p.Payload.TryWrite(payload));
            Assert.True(RtpWriter.TryWrite(_buffer, new RtpPacketFields(new PayloadType((byte)payloadType), _sequence++, p.RtpTimestamp, Ssrc, p.Marker), payload, out var length));
            result.Add(_buffer.AsSpan(0, length).ToArray());
        }

        return result;
    }

    public void SendTo(byte[] packet, int port) => Socket.Send(packet, new IPEndPoint(IPAddress.Loopback, port));

    /// <summary>The next datagram, or null after a bounded wait.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReceiveTimeout);
        try
        {
            var result = await Socket.ReceiveAsync(cts.Token);
            return result.Buffer;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<RtpHeader> ReceiveRtpAsync()
    {
        var packet = await ReceiveAsync();
        Assert.NotNull(packet);
        Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(packet, out var header));
        return header;
    }

    public void Dispose() => Socket.Dispose();
}
