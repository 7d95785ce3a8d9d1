using System.Security.Cryptography;
using Switchboard.Media.Srtp;
using static Switchboard.Media.Tests.Srtp.SrtpVectors;

namespace Switchboard.Media.Tests.Srtp;

public sealed class GcmTests
{
    public static TheoryData<bool> Paths => new() { true, false };

    private static SrtpContext Rfc7714Context(bool useIntrinsics) =>
        new(new AesGcmSrtpCipher(Hex(Rfc7714.SessionKey), Hex(Rfc7714.SessionSalt), useIntrinsics));

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc7714_16_1_1_protects_rtp(bool useIntrinsics)
    {
        using var context = Rfc7714Context(useIntrinsics);
        var plain = Hex(Rfc7714.RtpPlain);
        var buffer = new byte[plain.Length + 16];
        plain.CopyTo(buffer, 0);

        Assert.Equal(SrtpResult.Ok, context.ProtectRtp(buffer, plain.Length, out int length));
        Assert.Equal(Hex(Rfc7714.RtpProtected), buffer.AsSpan(0, length).ToArray());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc7714_16_1_2_unprotects_rtp(bool useIntrinsics)
    {
        using var context = Rfc7714Context(useIntrinsics);
        var buffer = Hex(Rfc7714.RtpProtected);

        Assert.Equal(SrtpResult.Ok, context.UnprotectRtp(buffer, buffer.Length, out int length));
        Assert.Equal(Hex(Rfc7714.RtpPlain), buffer.AsSpan(0, length).ToArray());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc7714_16_1_tampered_tag_fails(bool useIntrinsics)
    {
        using var context = Rfc7714Context(useIntrinsics);
        var buffer = Hex(Rfc7714.RtpProtected);
        buffer[^1] ^= 0x01;

        Assert.Equal(SrtpResult.AuthFailed, context.UnprotectRtp(buffer, buffer.Length, out _));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc7714_17_1_protects_rtcp(bool useIntrinsics)
    {
        using var context = Rfc7714Context(useIntrinsics);
        var plain = Hex(Rfc7714.RtcpPlain);
        var buffer = new byte[plain.Length + 20];
        plain.CopyTo(buffer, 0);
        int length = context.Cipher.ProtectRtcp(buffer, plain.Length, ssrc: 0x4d617273, Rfc7714.RtcpIndex);

        Assert.Equal(Hex(Rfc7714.RtcpProtected), buffer.AsSpan(0, length).ToArray());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc7714_17_1_unprotects_rtcp(bool useIntrinsics)
    {
        using var context = Rfc7714Context(useIntrinsics);
        var buffer = Hex(Rfc7714.RtcpProtected);

        Assert.Equal(SrtpResult.Ok, context.UnprotectRtcp(buffer, buffer.Length, out int length));
        Assert.Equal(Hex(Rfc7714.RtcpPlain), buffer.AsSpan(0, length).ToArray());
        Assert.Equal(SrtpResult.Replayed, context.UnprotectRtcp(Hex(Rfc7714.RtcpProtected), buffer.Length, out _));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc7714_17_3_verifies_authenticated_only_rtcp(bool useIntrinsics)
    {
        using var context = Rfc7714Context(useIntrinsics);
        var buffer = Hex(Rfc7714.RtcpAuthenticatedOnly);

        Assert.Equal(SrtpResult.Ok, context.UnprotectRtcp(buffer, buffer.Length, out int length));
        Assert.Equal(Hex(Rfc7714.RtcpPlain), buffer.AsSpan(0, length).ToArray());

        var tampered = Hex(Rfc7714.RtcpAuthenticatedOnly);
        tampered[20] ^= 0x80;
        using var fresh = Rfc7714Context(useIntrinsics);
        Assert.Equal(SrtpResult.AuthFailed, fresh.UnprotectRtcp(tampered, tampered.Length, out _));
    }

    [Fact]
    public void Own_gcm_matches_platform_AesGcm_on_random_inputs()
    {
        var random = new Random(7714);
        for (int trial = 0; trial < 300; trial++)
        {
            var key = new byte[16];
            var nonce = new byte[12];
            random.NextBytes(key);
            random.NextBytes(nonce);
            var aad = new byte[random.Next(0, 80)];
            var plain = new byte[random.Next(0, 600)];
            random.NextBytes(aad);
            random.NextBytes(plain);

            using var platform = new AesGcm(key, 16);
            var expected = new byte[plain.Length];
            var expectedTag = new byte[16];
            platform.Encrypt(nonce, plain, expected, expectedTag, aad);

            using var ours = new Aes128Gcm(key);
            Assert.True(ours.UsesIntrinsics || !Aes128Gcm.IsHardwareAccelerated);
            var data = (byte[])plain.Clone();
            var tag = new byte[16];
            ours.Encrypt(nonce, data, aad, tag);
            Assert.Equal(expected, data);
            Assert.Equal(expectedTag, tag);

            Assert.True(ours.Decrypt(nonce, data, aad, tag));
            Assert.Equal(plain, data);

            tag[trial % 16] ^= 0x40;
            Assert.False(ours.Decrypt(nonce, data, aad, tag));
        }
    }
}
