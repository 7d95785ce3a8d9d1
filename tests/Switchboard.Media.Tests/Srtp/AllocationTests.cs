using Switchboard.Media.Srtp;
using static Switchboard.Media.Tests.Srtp.SrtpTestPackets;

namespace Switchboard.Media.Tests.Srtp;

public sealed class AllocationTests
{
    public static TheoryData<SrtpProfile, bool> AllProfilesBothPaths()
    {
        var data = new TheoryData<SrtpProfile, bool>();
        foreach (var profile in Profiles)
        {
            data.Add(profile, true);
            data.Add(profile, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllProfilesBothPaths))]
    public void Protect_and_unprotect_allocate_nothing_per_packet(SrtpProfile profile, bool useIntrinsics)
    {
        var key = Key(profile, 1);
        using var sender = new SrtpContext(SrtpCipher.Create(key, useIntrinsics));
        using var receiver = new SrtpContext(SrtpCipher.Create(key, useIntrinsics));
        var rtp = RtpPacket(0);
        var rtcp = SrtpTestPackets.RtcpPacket();
        ushort seq = 0;
        int failures = 0;

        // Assertions inside the measured loop would allocate themselves; count failures instead.
        void OnePacket()
        {
            rtp[2] = (byte)(seq >> 8);
            rtp[3] = (byte)seq;
            seq++;
            failures += sender.ProtectRtp(rtp, 172, out int length) == SrtpResult.Ok ? 0 : 1;
            failures += receiver.UnprotectRtp(rtp, length, out _) == SrtpResult.Ok ? 0 : 1;
            failures += sender.ProtectRtcp(rtcp, 32, out length) == SrtpResult.Ok ? 0 : 1;
            failures += receiver.UnprotectRtcp(rtcp, length, out _) == SrtpResult.Ok ? 0 : 1;
        }

        for (int i = 0; i < 200; i++)
        {
            OnePacket();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            OnePacket();
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, failures);
        Assert.Equal(0, after - before);
    }
}
