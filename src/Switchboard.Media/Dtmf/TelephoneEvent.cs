using System.Buffers.Binary;

namespace Switchboard.Media.Dtmf;

/// <summary>
/// One RFC 4733 named-event payload (section 2.3): event code, end bit, volume (0 to -63 dBm0,
/// stored as 0..63) and duration in RTP timestamp units since the event began.
/// </summary>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    public const int Length = 4;

    /// <summary>Reads the first event of a payload. Fails only when fewer than 4 bytes are given.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out TelephoneEvent value)
    {
        if (payload.Length < Length)
        {
            value = default;
            return false;
        }

        value = new TelephoneEvent(
            payload[0],
            (payload[1] & 0x80) != 0,
            (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    /// <summary>Writes the 4-byte payload (R bit zero). Returns false when the buffer is too small.</summary>
    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            return false;
        }

        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
        return true;
    }
}

/// <summary>DTMF event codes of RFC 4733 section 3.2 and their keypad symbols.</summary>
public static class DtmfEvents
{
    public const byte Star = 10;
    public const byte Pound = 11;
    public const byte Flash = 16;

    /// <summary>Maps '0'-'9', '*', '#', 'A'-'D' (either case) to event codes 0-15.</summary>
    public static bool TryFromSymbol(char symbol, out byte eventCode)
    {
        eventCode = symbol switch
        {
            >= '0' and <= '9' => (byte)(symbol - '0'),
            '*' => Star,
            '#' => Pound,
            >= 'A' and <= 'D' => (byte)(symbol - 'A' + 12),
            >= 'a' and <= 'd' => (byte)(symbol - 'a' + 12),
            _ => byte.MaxValue,
        };
        return eventCode != byte.MaxValue;
    }

    /// <summary>The keypad symbol of an event code 0-15, '!' for flash (16), '?' otherwise.</summary>
    public static char ToSymbol(byte eventCode) => eventCode switch
    {
        <= 9 => (char)('0' + eventCode),
        Star => '*',
        Pound => '#',
        <= 15 => (char)('A' + eventCode - 12),
        Flash => '!',
        _ => '?',
    };
}
