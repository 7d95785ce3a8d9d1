using System.Buffers.Binary;
using System.Security.Cryptography;
using Switchboard.Media.Srtp;
using static Switchboard.Media.Tests.Srtp.SrtpVectors;

namespace Switchboard.Media.Tests.Srtp;

public sealed class AesCtrTests
{
    public static TheoryData<bool> Paths => new() { true, false };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc3711_B2_keystream(bool useIntrinsics)
    {
        using var aes = new Aes128Ctr(Hex(Rfc3711B2.SessionKey), useIntrinsics);
        var iv = new byte[16];
        AesCmHmacSha1Cipher.CounterBlock(iv, Hex(Rfc3711B2.SessionSalt), ssrc: 0, index: 0);
        Assert.Equal(Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), iv);

        var keystream = new byte[16 * 0xFF02];
        aes.XorKeyStream(iv, keystream);
        foreach (var (counter, expected) in Rfc3711B2.Blocks)
        {
            Assert.Equal(Hex(expected), keystream.AsSpan(counter * 16, 16).ToArray());
        }
    }

    [Fact]
    public void Intrinsic_path_is_available_on_this_machine()
    {
        // The benchmark figures assume it; a machine without AES-NI still passes every other test.
        Assert.Equal(Aes128Ctr.IsHardwareAccelerated, new Aes128Ctr(new byte[16]).UsesIntrinsics);
    }

    [Fact]
    public void Intrinsic_and_fallback_paths_agree_on_random_inputs()
    {
        var random = new Random(3711);
        for (int trial = 0; trial < 200; trial++)
        {
            var key = new byte[16];
            var iv = new byte[16];
            random.NextBytes(key);
            random.NextBytes(iv);
            var data = new byte[random.Next(0, 700)];
            random.NextBytes(data);
            var a = (byte[])data.Clone();
            var b = (byte[])data.Clone();
            using var fast = new Aes128Ctr(key, useIntrinsics: true);
            using var slow = new Aes128Ctr(key, useIntrinsics: false);
            fast.XorKeyStream(iv, a);
            slow.XorKeyStream(iv, b);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void Matches_platform_AES_ECB_block_by_block()
    {
        var random = new Random(7);
        var key = new byte[16];
        var iv = new byte[16];
        random.NextBytes(key);
        random.NextBytes(iv);
        using var platform = Aes.Create();
        platform.Key = key;
        using var ours = new Aes128Ctr(key);
        var stream = new byte[16 * 9];
        ours.XorKeyStream(iv, stream);
        uint counter = BinaryPrimitives.ReadUInt32BigEndian(iv.AsSpan(12));
        for (int block = 0; block < 9; block++)
        {
            var input = (byte[])iv.Clone();
            BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(12), counter + (uint)block);
            Assert.Equal(platform.EncryptEcb(input, PaddingMode.None), stream.AsSpan(block * 16, 16).ToArray());
        }
    }
}
