using System.Collections.Concurrent;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Phone;

public sealed partial class RtpSession
{
    /// <summary>Pause between two digits we send, so a phone that needs a gap sees two key presses.</summary>
    private static readonly TimeSpan InterDigitGap = TimeSpan.FromMilliseconds(50);

    /// <summary>Made on the first digit sent (most legs never send one): any thread may enqueue, the owner dequeues.</summary>
    private ConcurrentQueue<DtmfRequest>? _dtmfRequests;
    private readonly uint _timestampBase;
    private DtmfPacket[] _dtmfPackets = [];
    private int _dtmfCount;
    private int _dtmfNext;
    private TimeSpan _dtmfFreeAt;

    /// <summary>
    /// Sends one key press to the phone as RFC 4733 packets (start, updates every 50 ms, three ends),
    /// timed by the leg's loop, in our own stream (<see cref="LocalSsrc"/>): for a digit that reached
    /// the call as SIP INFO. False when the phone did not negotiate telephone-event, the symbol is not
    /// a DTMF key, or the duration does not fit the event's 16-bit duration field. Thread-safe.
    /// </summary>
    public bool SendDtmf(char digit, TimeSpan duration)
    {
        if (_remote?.Audio.TelephoneEvent is not { } te || !DtmfEvents.TryFromSymbol(digit, out var code) ||
            duration <= TimeSpan.Zero || duration.Ticks * te.Codec.ClockRate / TimeSpan.TicksPerSecond > ushort.MaxValue)
        {
            return false;
        }

        var requests = Volatile.Read(ref _dtmfRequests);
        if (requests is null)
        {
            Interlocked.CompareExchange(ref _dtmfRequests, new ConcurrentQueue<DtmfRequest>(), null);
            requests = Volatile.Read(ref _dtmfRequests)!;
        }

        requests.Enqueue(new DtmfRequest(code, duration));
        Wake();
        return true;
    }

    /// <summary>Sends the packets that are due; starts the next queued digit when the last is done. Returns when to come back.</summary>
    private TimeSpan? PollDtmfSend(TimeSpan now)
    {
        var requests = Volatile.Read(ref _dtmfRequests);
        if (requests is null && _dtmfNext >= _dtmfCount)
        {
            return null;
        }

        if (_dtmfNext >= _dtmfCount && now >= _dtmfFreeAt && requests is not null && requests.TryDequeue(out var request))
        {
            StartDigit(request, now);
        }

        while (_dtmfNext < _dtmfCount && _dtmfPackets[_dtmfNext].SendAt <= now)
        {
            SendDtmfPacket(_dtmfPackets[_dtmfNext++], now);
        }

        if (_dtmfNext < _dtmfCount)
        {
            return _dtmfPackets[_dtmfNext].SendAt;
        }

        return requests is null || requests.IsEmpty ? null : _dtmfFreeAt;
    }

    private void StartDigit(DtmfRequest request, TimeSpan now)
    {
        var clockRate = _remote?.Audio.TelephoneEvent?.Codec.ClockRate ?? 8000;
        var count = DtmfSender.GetPacketCount(request.Duration);
        if (_dtmfPackets.Length < count)
        {
            _dtmfPackets = new DtmfPacket[count];
        }

        _dtmfCount = DtmfSender.CreatePackets(request.Event, StreamTimestamp(now, clockRate), now, request.Duration, clockRate, _dtmfPackets);
        _dtmfNext = 0;
        _dtmfFreeAt = now + request.Duration + InterDigitGap;
    }

    /// <summary>Our stream's timestamp runs with the loop's clock from a random base (RFC 3550 section 5.1): DTMF and prompts share it.</summary>
    private uint StreamTimestamp(TimeSpan now, int clockRate) =>
        unchecked(_timestampBase + (uint)(now.Ticks * clockRate / TimeSpan.TicksPerSecond));

    private void SendDtmfPacket(in DtmfPacket packet, TimeSpan now)
    {
        // The phone may have renegotiated meanwhile: without telephone-event or an address, the packet is dropped.
        if (_remote is not { SendTo: { } phone, Audio.TelephoneEvent: { } te })
        {
            _packetsDropped++;
            return;
        }

        Span<byte> payload = stackalloc byte[TelephoneEvent.Length];
        packet.Payload.TryWrite(payload);
        var fields = new RtpPacketFields(new PayloadType((byte)te.PayloadType), SequenceNumber: 0, packet.RtpTimestamp, new Ssrc(LocalSsrc), packet.Marker);
        var buffer = _scratch.Dtmf;
        if (RtpWriter.TryWrite(buffer, fields, payload, out var length))
        {
            SendToPhone(buffer.AsSpan(0, length), phone, now);
        }
    }

    private readonly record struct DtmfRequest(byte Event, TimeSpan Duration);
}
