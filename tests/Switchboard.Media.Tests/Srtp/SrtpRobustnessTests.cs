using Switchboard.Media.Srtp;
using static Switchboard.Media.Tests.Srtp.SrtpTestPackets;

namespace Switchboard.Media.Tests.Srtp;

/// <summary>Bad input is a typed result, never an exception: random datagrams and every truncation.</summary>
public sealed class SrtpRobustnessTests
{
    public static TheoryData<SrtpProfile> AllProfiles => new(Profiles);

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Random_datagrams_never_throw_and_never_authenticate(SrtpProfile profile)
    {
        using var context = new SrtpContext(Key(profile, 3));
        var random = new Random(6904);
        var buffer = new byte[300];
        for (int trial = 0; trial < 5000; trial++)
        {
            int length = random.Next(0, buffer.Length + 1);
            random.NextBytes(buffer);
            buffer[0] = (byte)((buffer[0] & 0x3F) | (trial % 4 == 0 ? 0x00 : 0x80));
            Assert.NotEqual(SrtpResult.Ok, context.UnprotectRtp(buffer, length, out _));
            Assert.NotEqual(SrtpResult.Ok, context.UnprotectRtcp(buffer, length, out _));
            context.ProtectRtp(buffer, Math.Min(length, 200), out _);
            context.ProtectRtcp(buffer, Math.Min(length, 200), out _);
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Every_truncation_of_a_valid_packet_is_rejected(SrtpProfile profile)
    {
        var key = Key(profile, 4);
        using var sender = new SrtpContext(key);
        using var receiver = new SrtpContext(key);
        var rtp = RtpPacket(9);
        sender.ProtectRtp(rtp, 172, out int rtpLength);
        var rtcp = SrtpTestPackets.RtcpPacket();
        sender.ProtectRtcp(rtcp, 32, out int rtcpLength);

        for (int cut = 0; cut < rtpLength; cut++)
        {
            var copy = (byte[])rtp.Clone();
            Assert.NotEqual(SrtpResult.Ok, receiver.UnprotectRtp(copy, cut, out _));
        }

        for (int cut = 0; cut < rtcpLength; cut++)
        {
            var copy = (byte[])rtcp.Clone();
            Assert.NotEqual(SrtpResult.Ok, receiver.UnprotectRtcp(copy, cut, out _));
        }

        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(rtp, rtpLength, out _));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(rtcp, rtcpLength, out _));
    }
}
