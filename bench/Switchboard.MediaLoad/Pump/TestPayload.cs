using System.Buffers.Binary;
using System.Diagnostics;

namespace Switchboard.MediaLoad.Pump;

/// <summary>
/// The 160-byte PCMU payload every stream carries: the sender's Stopwatch timestamp and a "measured" flag, then
/// PCMU silence. Sender and receiver are in this process, so one clock gives the one-way relay delay.
/// </summary>
internal static class TestPayload
{
    public const int Length = 160;
    private const int FlagOffset = 8;
    private const byte Measured = 1;
    private const byte PcmuSilence = 0xFF;

    public static void Init(Span<byte> payload) => payload.Fill(PcmuSilence);

    public static void Stamp(Span<byte> payload, long timestamp, bool measured)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, timestamp);
        payload[FlagOffset] = measured ? Measured : PcmuSilence;
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out long sentAt, out bool measured)
    {
        if (payload.Length != Length)
        {
            sentAt = 0;
            measured = false;
            return false;
        }

        sentAt = BinaryPrimitives.ReadInt64LittleEndian(payload);
        measured = payload[FlagOffset] == Measured;
        return sentAt > 0 && sentAt <= Stopwatch.GetTimestamp();
    }
}
