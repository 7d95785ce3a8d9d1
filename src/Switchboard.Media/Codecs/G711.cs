namespace Switchboard.Media.Codecs;

/// <summary>
/// ITU-T G.711 mu-law (PCMU, RTP payload type 0) on 16-bit linear PCM, bit-exact with the
/// ITU-T G.191 reference (ulaw_compress/ulaw_expand); decoding uses a 256-entry table. The G.191
/// encoder takes the one's complement of negative samples, so at 508 negative decision boundaries
/// (for example -1) it picks the code next to the one of the older Sun g711.c (and Python's audioop). No allocation per call.
/// </summary>
public static class Pcmu
{
    private const int Bias = 0x84;
    private static readonly short[] DecodeTable = BuildDecodeTable();

    // The code depends only on sample >> 2 (the one's complement commutes with an arithmetic shift).
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    public static byte Encode(short sample) => EncodeTable[(sample >> 2) + 8192];

    internal static byte EncodeReference(short sample)
    {
        // As in the ITU-T G.191 reference (ulaw_compress): one's complement magnitude, 14 bits,
        // biased by 33 and clipped to 0x1FFF; segment = highest set bit above bit 5.
        int magnitude = ((sample < 0 ? ~sample : sample) >> 2) + 33;
        if (magnitude > 0x1FFF)
        {
            magnitude = 0x1FFF;
        }

        int segment = 31 - int.LeadingZeroCount(magnitude) - 5;
        int mantissa = (magnitude >> (segment + 1)) & 0x0F;
        return (byte)(((segment << 4) | mantissa) ^ (sample < 0 ? 0x7F : 0xFF));
    }

    public static short Decode(byte code) => DecodeTable[code];

    /// <summary>Encodes <paramref name="samples"/> into <paramref name="destination"/> (one byte per sample).</summary>
    public static void Encode(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        G711Tables.Encode(EncodeTable, shift: 2, samples, destination);
    }

    /// <summary>Decodes <paramref name="codes"/> into <paramref name="destination"/> (one sample per byte).</summary>
    public static void Decode(ReadOnlySpan<byte> codes, Span<short> destination)
    {
        G711Tables.Decode(DecodeTable, codes, destination);
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[16384];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = EncodeReference((short)((i - 8192) << 2));
        }

        return table;
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (int i = 0; i < 256; i++)
        {
            int u = ~i;
            int t = ((u & 0x0F) << 3) + Bias;
            t <<= (u & 0x70) >> 4;
            table[i] = (short)((u & 0x80) != 0 ? Bias - t : t - Bias);
        }

        return table;
    }
}

/// <summary>
/// ITU-T G.711 A-law (PCMA, RTP payload type 8) on 16-bit linear PCM, with the even-bit inversion
/// (XOR 0x55) of the standard. No allocation per call.
/// </summary>
public static class Pcma
{
    private static readonly short[] DecodeTable = BuildDecodeTable();

    // The code depends only on sample >> 3.
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    public static byte Encode(short sample) => EncodeTable[(sample >> 3) + 4096];

    internal static byte EncodeReference(short sample)
    {
        // As in ITU-T G.191 alaw_compress: one's complement magnitude of the top 13 bits.
        int pcm = sample >> 3;
        int mask;
        if (pcm >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            pcm = ~pcm;
        }

        // 13-bit magnitude 0..4095; segment 0 covers 0..31, segment s>0 covers 16<<s .. (32<<s)-1.
        int segment = pcm < 32 ? 0 : 32 - int.LeadingZeroCount(pcm) - 5;
        int mantissa = segment < 2 ? (pcm >> 1) & 0x0F : (pcm >> segment) & 0x0F;
        return (byte)(((segment << 4) | mantissa) ^ mask);
    }

    public static short Decode(byte code) => DecodeTable[code];

    public static void Encode(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        G711Tables.Encode(EncodeTable, shift: 3, samples, destination);
    }

    public static void Decode(ReadOnlySpan<byte> codes, Span<short> destination)
    {
        G711Tables.Decode(DecodeTable, codes, destination);
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[8192];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = EncodeReference((short)((i - 4096) << 3));
        }

        return table;
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (int i = 0; i < 256; i++)
        {
            int a = i ^ 0x55;
            int t = (a & 0x0F) << 4;
            int segment = (a & 0x70) >> 4;
            t = segment switch
            {
                0 => t + 8,
                1 => t + 0x108,
                _ => (t + 0x108) << (segment - 1),
            };
            table[i] = (short)((a & 0x80) != 0 ? t : -t);
        }

        return table;
    }
}

/// <summary>The frame loops both laws share: a table lookup per sample.</summary>
internal static class G711Tables
{
    /// <summary>The table holds one code per 2^<paramref name="shift"/> input steps, indexed from the most negative sample.</summary>
    public static void Encode(byte[] table, int shift, ReadOnlySpan<short> samples, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, samples.Length, nameof(destination));
        int offset = table.Length / 2;
        for (int i = 0; i < samples.Length; i++)
        {
            destination[i] = table[(samples[i] >> shift) + offset];
        }
    }

    public static void Decode(short[] table, ReadOnlySpan<byte> codes, Span<short> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, codes.Length, nameof(destination));
        for (int i = 0; i < codes.Length; i++)
        {
            destination[i] = table[codes[i]];
        }
    }
}
