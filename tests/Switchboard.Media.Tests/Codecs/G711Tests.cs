using Switchboard.Media.Codecs;

namespace Switchboard.Media.Tests.Codecs;

/// <summary>Values of ITU-T G.711 tables 1a/2a as produced by the ITU-T G.191 reference code.</summary>
public class G711Tests
{
    [Theory]
    [InlineData(0x00, -32124)]
    [InlineData(0x80, 32124)]
    [InlineData(0x7F, 0)]
    [InlineData(0xFF, 0)]
    [InlineData(0x7E, -8)]
    [InlineData(0xFE, 8)]
    [InlineData(0x70, -120)]
    [InlineData(0xF0, 120)]
    [InlineData(0x0F, -16764)]
    [InlineData(0x8F, 16764)]
    [InlineData(0x6F, -132)]
    [InlineData(0x60, -372)]
    public void Pcmu_decodes_table_values(byte code, short linear)
    {
        Assert.Equal(linear, Pcmu.Decode(code));
    }

    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(-1, 0x7F)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    [InlineData(8, 0xFE)]
    [InlineData(-8, 0x7E)]
    [InlineData(1000, 0xCE)]
    [InlineData(-1000, 0x4E)]
    public void Pcmu_encodes_table_values(short linear, byte code)
    {
        Assert.Equal(code, Pcmu.Encode(linear));
    }

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xD4, 24)]
    [InlineData(0xC5, 264)]
    [InlineData(0xE5, 1056)]
    [InlineData(0x80, 5504)]
    public void Pcma_decodes_table_values(byte code, short linear)
    {
        Assert.Equal(linear, Pcma.Decode(code));
    }

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    [InlineData(1000, 0xFA)]
    [InlineData(-1000, 0x7A)]
    public void Pcma_encodes_table_values(short linear, byte code)
    {
        Assert.Equal(code, Pcma.Encode(linear));
    }

    // SHA-256 of whole-range outputs computed with CPython's audioop (Sun g711.c lineage), an
    // implementation independent of ours. A-law and both decoders agree bit for bit. For mu-law
    // encoding audioop negates negative samples where G.191 takes the one's complement, so the
    // reference hash was computed by feeding audioop the G.191 magnitude, ~(x >> 2).
    private const string AlawEncodeAllSha256 = "38488f6fd710f4686360edc4d38639f96c491595ef93f8eb8d62d5e07ca6ce7b";
    private const string UlawEncodeAllG191Sha256 = "90c29de505fb68e766118303bd552a16005dcf810873698bee1d8f3b247ce28c";
    private const string UlawDecodeAllSha256 = "3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827";
    private const string AlawDecodeAllSha256 = "e04788d110e58ff8c70c93b8480190d973e3b67876b6119abbaec766cc75c174";

    [Fact]
    public void Whole_range_outputs_match_an_independent_implementation()
    {
        var all = new short[65536];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = (short)(i - 32768);
        }

        var codes = new byte[65536];
        Pcma.Encode(all, codes);
        Assert.Equal(AlawEncodeAllSha256, Sha256(codes));
        Pcmu.Encode(all, codes);
        Assert.Equal(UlawEncodeAllG191Sha256, Sha256(codes));

        byte[] every = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var linear = new short[256];
        Pcmu.Decode(every, linear);
        Assert.Equal(UlawDecodeAllSha256, Sha256(System.Runtime.InteropServices.MemoryMarshal.AsBytes(linear.AsSpan()).ToArray()));
        Pcma.Decode(every, linear);
        Assert.Equal(AlawDecodeAllSha256, Sha256(System.Runtime.InteropServices.MemoryMarshal.AsBytes(linear.AsSpan()).ToArray()));
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));

    [Fact]
    public void Table_encoders_match_the_reference_algorithm_for_every_sample()
    {
        for (int x = short.MinValue; x <= short.MaxValue; x++)
        {
            Assert.Equal(Pcmu.EncodeReference((short)x), Pcmu.Encode((short)x));
            Assert.Equal(Pcma.EncodeReference((short)x), Pcma.Encode((short)x));
        }
    }

    [Fact]
    public void Every_pcmu_code_but_negative_zero_survives_decode_then_encode()
    {
        for (int code = 0; code < 256; code++)
        {
            byte expected = code == 0x7F ? (byte)0xFF : (byte)code;
            Assert.Equal(expected, Pcmu.Encode(Pcmu.Decode((byte)code)));
        }
    }

    [Fact]
    public void Every_pcma_code_survives_decode_then_encode()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, Pcma.Encode(Pcma.Decode((byte)code)));
        }
    }

    [Fact]
    public void Encoding_is_monotonic_and_error_is_bounded_over_the_full_range()
    {
        short previousU = Pcmu.Decode(Pcmu.Encode(short.MinValue));
        short previousA = Pcma.Decode(Pcma.Encode(short.MinValue));
        for (int x = short.MinValue; x <= short.MaxValue; x++)
        {
            short u = Pcmu.Decode(Pcmu.Encode((short)x));
            short a = Pcma.Decode(Pcma.Encode((short)x));
            Assert.True(u >= previousU, $"mu-law not monotonic at {x}");
            Assert.True(a >= previousA, $"A-law not monotonic at {x}");
            previousU = u;
            previousA = a;

            // Quantisation error is at most half the largest step (1024 for mu-law, 1024 for A-law), plus clipping.
            if (Math.Abs(x) < 32000)
            {
                Assert.InRange(Math.Abs(u - x), 0, 512 + 4);
                Assert.InRange(Math.Abs(a - x), 0, 512 + 4);
            }
        }
    }

    [Fact]
    public void Span_encode_decode_matches_scalar_and_does_not_allocate()
    {
        var samples = new short[160];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(Math.Sin(i / 10.0) * 20000);
        }

        var u = new byte[160];
        var a = new byte[160];
        var back = new short[160];
        // Warm up: the decode tables are built on first use.
        Pcmu.Encode(samples, u);
        Pcma.Encode(samples, a);
        Pcmu.Decode(u, back);
        Pcma.Decode(a, back);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Pcmu.Encode(samples, u);
        Pcmu.Decode(u, back);
        Pcma.Encode(samples, a);
        Pcma.Decode(a, back);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        for (int i = 0; i < samples.Length; i++)
        {
            Assert.Equal(Pcmu.Encode(samples[i]), u[i]);
            Assert.Equal(Pcma.Decode(a[i]), back[i]);
        }
    }

    [Fact]
    public void Short_destination_is_a_programmer_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pcmu.Encode(new short[10], new byte[9]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pcma.Decode(new byte[10], new short[9]));
    }
}
