using System.Buffers.Binary;
using Switchboard.Media.Srtp;

namespace Switchboard.Media.Tests.Srtp;

internal static class SrtpTestPackets
{
    public static SrtpMasterKey Key(SrtpProfile profile, byte seed)
    {
        var key = new byte[profile.MasterKeyLength()];
        var salt = new byte[profile.MasterSaltLength()];
        var random = new Random(seed);
        random.NextBytes(key);
        random.NextBytes(salt);
        return new SrtpMasterKey(profile, key, salt);
    }

    /// <summary>A PCMU packet: 12-byte header, 160 bytes of payload, room for any tag.</summary>
    public static byte[] RtpPacket(ushort seq, uint ssrc = 0x11223344, int payload = 160, int room = 32)
    {
        var buffer = new byte[12 + payload + room];
        buffer[0] = 0x80;
        buffer[1] = 0x00;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), seq * 160u);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), ssrc);
        for (int i = 0; i < payload; i++)
        {
            buffer[12 + i] = (byte)(seq + i);
        }

        return buffer;
    }

    /// <summary>A receiver report with one report block: 32 bytes, plus room.</summary>
    public static byte[] RtcpPacket(uint ssrc = 0x55667788, int room = 32)
    {
        var buffer = new byte[32 + room];
        buffer[0] = 0x81;
        buffer[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), 7);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), ssrc);
        for (int i = 8; i < 32; i++)
        {
            buffer[i] = (byte)i;
        }

        return buffer;
    }

    public static IEnumerable<SrtpProfile> Profiles =>
        [SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32, SrtpProfile.AeadAes128Gcm];
}
