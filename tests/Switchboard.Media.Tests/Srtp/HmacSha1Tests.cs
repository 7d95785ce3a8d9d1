using System.Security.Cryptography;
using Switchboard.Media.Srtp;

namespace Switchboard.Media.Tests.Srtp;

public sealed class HmacSha1Tests
{
    [Fact]
    public void Matches_platform_HMACSHA1_on_random_inputs()
    {
        var random = new Random(2104);
        for (int trial = 0; trial < 500; trial++)
        {
            var key = new byte[random.Next(0, 65)];
            random.NextBytes(key);
            var first = new byte[random.Next(0, 400)];
            var second = new byte[random.Next(0, 65)];
            random.NextBytes(first);
            random.NextBytes(second);

#pragma warning disable CA5350 // SRTP mandates HMAC-SHA1; this is the reference to compare against.
            var expected = HMACSHA1.HashData(key, (byte[])[.. first, .. second]);
#pragma warning restore CA5350
            var mac = new byte[20];
            new HmacSha1(key).Compute(first, second, mac);
            Assert.Equal(expected, mac);
        }
    }

    [Fact]
    public void Every_length_around_block_boundaries()
    {
        var key = new byte[20];
        new Random(1).NextBytes(key);
        var hmac = new HmacSha1(key);
        var message = new byte[200];
        new Random(2).NextBytes(message);
        for (int length = 0; length <= message.Length; length++)
        {
#pragma warning disable CA5350
            var expected = HMACSHA1.HashData(key, message.AsSpan(0, length));
#pragma warning restore CA5350
            var mac = new byte[10];
            int split = Math.Min(length / 3, 64);
            hmac.Compute(message.AsSpan(0, length - split), message.AsSpan(length - split, split), mac);
            Assert.Equal(expected.AsSpan(0, 10).ToArray(), mac);
        }
    }
}

public sealed class Sha1ScheduleTests
{
    [Fact]
    public void Vector_and_scalar_message_schedules_agree()
    {
        if (!System.Runtime.Intrinsics.X86.Ssse3.IsSupported)
        {
            return;
        }

        var random = new Random(1802);
        var block = new byte[64];
        var vector = new uint[80];
        var scalar = new uint[80];
        for (int trial = 0; trial < 100; trial++)
        {
            random.NextBytes(block);
            Sha1.ScheduleSsse3(block, vector);
            Sha1.ScheduleScalar(block, scalar);
            Assert.Equal(scalar, vector);
        }
    }

    [Fact]
    public void OpenSSL_and_managed_compressions_agree_from_any_state()
    {
        // On Linux with libcrypto the native path is the one in use; the managed one stays the fallback.
        Assert.Equal(OperatingSystem.IsLinux(), NativeSha1.Available);
        var random = new Random(4711);
        var block = new byte[64];
        var words = new byte[20];
        for (int trial = 0; trial < 200; trial++)
        {
            random.NextBytes(block);
            random.NextBytes(words);
            var start = new Sha1State
            {
                A = BitConverter.ToUInt32(words, 0),
                B = BitConverter.ToUInt32(words, 4),
                C = BitConverter.ToUInt32(words, 8),
                D = BitConverter.ToUInt32(words, 12),
                E = BitConverter.ToUInt32(words, 16),
            };
            var managed = start;
            var native = start;
            Sha1.CompressManaged(ref managed, block);
            NativeSha1.Compress(ref native, block);
            Assert.Equal(managed, native);
        }
    }
}
