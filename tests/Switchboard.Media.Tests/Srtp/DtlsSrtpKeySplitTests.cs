using Switchboard.Media.Srtp;

namespace Switchboard.Media.Tests.Srtp;

public sealed class DtlsSrtpKeysTests
{
    private static byte[] Material(int length) => Enumerable.Range(1, length).Select(i => (byte)i).ToArray();

    [Theory]
    [InlineData(0x0001, 60)]
    [InlineData(0x0002, 60)]
    [InlineData(0x0007, 56)]
    public void Splits_per_rfc5764_section_4_2(ushort profileId, int length)
    {
        var profile = (SrtpProfile)profileId;
        Assert.Equal(length, DtlsSrtpKeySplit.KeyingMaterialLength(profile));
        var material = Material(length);
        int k = profile.MasterKeyLength();
        int s = profile.MasterSaltLength();

        Assert.True(DtlsSrtpKeySplit.TrySplit(profileId, material, isServer: false, out var clientLocal, out var clientRemote));
        Assert.Equal(material[..k], clientLocal.Key.ToArray());
        Assert.Equal(material[k..(2 * k)], clientRemote.Key.ToArray());
        Assert.Equal(material[(2 * k)..((2 * k) + s)], clientLocal.Salt.ToArray());
        Assert.Equal(material[((2 * k) + s)..], clientRemote.Salt.ToArray());
        Assert.Equal(profile, clientLocal.Profile);

        Assert.True(DtlsSrtpKeySplit.TrySplit(profileId, material, isServer: true, out var serverLocal, out var serverRemote));
        Assert.Equal(clientRemote.Key.ToArray(), serverLocal.Key.ToArray());
        Assert.Equal(clientRemote.Salt.ToArray(), serverLocal.Salt.ToArray());
        Assert.Equal(clientLocal.Key.ToArray(), serverRemote.Key.ToArray());
    }

    [Fact]
    public void Refuses_unknown_profiles_and_wrong_lengths()
    {
        Assert.False(DtlsSrtpKeySplit.TrySplit(0x0008, Material(88), isServer: true, out _, out _));
        Assert.False(DtlsSrtpKeySplit.TrySplit(0x0001, Material(59), isServer: true, out _, out _));
        Assert.False(DtlsSrtpKeySplit.TrySplit(0x0007, Material(60), isServer: true, out _, out _));
    }

    [Theory]
    [InlineData(0x0001)]
    [InlineData(0x0007)]
    public void Client_and_server_sessions_talk_to_each_other(ushort profileId)
    {
        var material = Material(DtlsSrtpKeySplit.KeyingMaterialLength((SrtpProfile)profileId));
        Assert.True(SrtpSession.TryCreateFromDtls(profileId, material, isServer: false, out var client));
        Assert.True(SrtpSession.TryCreateFromDtls(profileId, material, isServer: true, out var server));
        using (client)
        using (server)
        {
            var packet = SrtpTestPackets.RtpPacket(1);
            Assert.Equal(SrtpResult.Ok, client.ProtectRtp(packet, 172, out int length));
            Assert.Equal(SrtpResult.Ok, server.UnprotectRtp(packet, length, out _));

            var reply = SrtpTestPackets.RtpPacket(1, ssrc: 0xAABBCCDD);
            Assert.Equal(SrtpResult.Ok, server.ProtectRtp(reply, 172, out length));
            var misdirected = (byte[])reply.Clone();
            Assert.Equal(SrtpResult.AuthFailed, server.UnprotectRtp(misdirected, length, out _));
            Assert.Equal(SrtpResult.Ok, client.UnprotectRtp(reply, length, out _));

            var rtcp = SrtpTestPackets.RtcpPacket();
            Assert.Equal(SrtpResult.Ok, server.ProtectRtcp(rtcp, 32, out length));
            Assert.Equal(SrtpResult.Ok, client.UnprotectRtcp(rtcp, length, out _));
        }
    }

    [Fact]
    public void Master_key_never_prints_its_bytes()
    {
        var key = new SrtpMasterKey(SrtpProfile.AeadAes128Gcm, new byte[16], new byte[12]);
        Assert.DoesNotContain("00", key.ToString(), StringComparison.Ordinal);
    }
}

public sealed class SrtpProfileTests
{
    [Fact]
    public void Supported_profiles_map_from_their_ids()
    {
        foreach (var profile in new[] { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32, SrtpProfile.AeadAes128Gcm })
        {
            Assert.True(profile.IsSupported());
            Assert.True(SrtpProfiles.TryFromId((ushort)profile, out var parsed));
            Assert.Equal(profile, parsed);
        }

        Assert.False(SrtpProfiles.TryFromId(0x0008, out _));
        Assert.False(SrtpProfiles.TryFromId(0x0000, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80, 16, 14, 10, 10)]
    [InlineData(SrtpProfile.AesCm128HmacSha1_32, 16, 14, 4, 10)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 16, 12, 16, 16)]
    public void Lengths_follow_rfc5764_and_rfc7714(SrtpProfile profile, int key, int salt, int rtpTag, int rtcpTag)
    {
        Assert.Equal(key, profile.MasterKeyLength());
        Assert.Equal(salt, profile.MasterSaltLength());
        Assert.Equal(rtpTag, profile.RtpTagLength());
        Assert.Equal(rtcpTag, profile.RtcpTagLength());
        Assert.Equal(rtcpTag + 4, profile.RtcpOverhead());
    }
}
