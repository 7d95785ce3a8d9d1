using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Switchboard.MediaLoad.Native;
using Switchboard.Media.Demux;
using Switchboard.Media.Rtp;

namespace Switchboard.MediaLoad.Pump;

/// <summary>
/// One RTP stream end in the generator: a connected, non-blocking loopback UDP socket owned by one pump thread, which
/// sends its 50 packets/s and receives the far end's. Setup code (another thread) creates it, connects it and sets
/// <see cref="Sending"/>; after that only the pump thread touches the per-packet state.
/// </summary>
internal abstract class MediaEndpoint : IDisposable
{
    private const int Pcmu = 0;

    // Room for ~2,500 packets: a pump starved for a few hundred milliseconds by other processes delays them rather
    // than dropping them, so loss is the relay's (the kernel caps this at net.core.rmem_max, 4 MB here).
    private const int ReceiveBufferBytes = 512 * 1024;
    private readonly Socket _socket;
    private readonly uint _ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
    private uint _timestamp;
    private long _lastTransit;
    private double _jitterTicks;
    private volatile bool _sending;

    protected MediaEndpoint(int sendDirection, IPAddress local)
    {
        SendDirection = sendDirection;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false, ReceiveBufferSize = ReceiveBufferBytes };
        _socket.Bind(new IPEndPoint(local, 0));
        Local = (IPEndPoint)_socket.LocalEndPoint!;
        Fd = (int)_socket.Handle;
    }

    public IPEndPoint Local { get; }

    public int Fd { get; }

    /// <summary>0: this end is the caller (it sends caller to callee); 1: the callee.</summary>
    public int SendDirection { get; }

    public int ReceiveDirection => 1 - SendDirection;

    /// <summary>Set by the pump when it takes the endpoint.</summary>
    public int Id { get; set; }

    /// <summary>RFC 3550 section 6.4.1 interarrival jitter of what this end receives, in milliseconds.</summary>
    public double JitterMs => _jitterTicks * 1000.0 / Stopwatch.Frequency;

    public bool HasReceived => _lastTransit != 0;

    /// <summary>True once the far end is known and media may flow (the call is up).</summary>
    public bool Sending
    {
        get => _sending;
        set => _sending = value;
    }

    /// <summary>The pump that owns this endpoint, set when it takes it.</summary>
    public MediaPump? Owner { get; set; }

    /// <summary>Ends this stream (a failed or ended call): no more packets or checks; its pump closes the socket soon after.</summary>
    public virtual void Stop()
    {
        _sending = false;
        Owner?.Retire(this);
    }

    /// <summary>Fixes the far end: from now on this socket sends there and accepts datagrams from there only.</summary>
    public void ConnectTo(IPEndPoint remote) => _socket.Connect(remote);

    /// <summary>Handles one datagram on the pump thread; <paramref name="datagram"/> is the pump's buffer.</summary>
    public abstract void OnDatagram(Span<byte> datagram, long now, PumpStats stats);

    /// <summary>The pump's 20 ms tick for this endpoint: one packet if sending, and any control traffic due.</summary>
    public abstract void OnTick(Span<byte> scratch, Span<byte> payload, long now, LoadPhase phase, PumpStats stats);

    public virtual void Dispose()
    {
        _sending = false;
        _socket.Dispose();
    }

    /// <summary>Writes the next RTP packet (PCMU, 160 samples) around <paramref name="payload"/>; its length.</summary>
    protected int WriteRtp(Span<byte> scratch, ReadOnlySpan<byte> payload)
    {
        _timestamp += TestPayload.Length;
        var fields = new RtpPacketFields(new PayloadType(Pcmu), _sequence++, _timestamp, new Ssrc(_ssrc));
        return RtpWriter.TryWrite(scratch, fields, payload, out var length) ? length : 0;
    }

    protected void Send(ReadOnlySpan<byte> packet, PumpStats? stats)
    {
        if (Libc.send(Fd, ref MemoryMarshal.GetReference(packet), packet.Length, Libc.MsgDontWait) < 0 && stats is not null)
        {
            stats.SendErrors++;
        }
    }

    /// <summary>Anything but media: RTCP from the relay (rtcp-mux) is expected and ignored, the rest is counted.</summary>
    protected static void OnOther(DatagramKind kind, PumpStats stats)
    {
        if (kind != DatagramKind.Rtcp)
        {
            stats.Unexpected++;
        }
    }

    /// <summary>Counts a plain (or decrypted) RTP packet: loss, delay and RFC 3550 jitter from the embedded send time.</summary>
    protected void OnRtp(ReadOnlySpan<byte> packet, long now, PumpStats stats)
    {
        if (RtpHeader.TryParse(packet, out var header) != RtpParseStatus.Ok || !TestPayload.TryRead(header.GetPayload(packet), out var sentAt, out var measured))
        {
            stats.Unexpected++;
            return;
        }

        // RFC 3550's estimator with S taken from the sender's clock rather than the RTP timestamp: the relay's jitter,
        // without the generator's own pacing jitter. Same units either way once converted to milliseconds.
        var transit = now - sentAt;
        if (_lastTransit != 0)
        {
            var d = Math.Abs(transit - _lastTransit);
            _jitterTicks += (d - _jitterTicks) / 16;
        }

        _lastTransit = transit;
        if (measured)
        {
            stats.ReceivedMeasured[ReceiveDirection]++;
            stats.Delay[ReceiveDirection].Add(transit);
        }
    }

    /// <summary>Stamps the payload, counts it if measured; the caller writes and sends the packet.</summary>
    protected static void Stamp(Span<byte> payload, long now, LoadPhase phase, PumpStats stats, int direction)
    {
        var measured = phase.Measuring;
        TestPayload.Stamp(payload, now, measured);
        if (measured)
        {
            stats.SentMeasured[direction]++;
        }
    }
}
