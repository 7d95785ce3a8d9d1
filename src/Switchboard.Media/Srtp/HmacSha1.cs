using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Switchboard.Media.Srtp;

/// <summary>
/// HMAC-SHA1 (RFC 2104, FIPS 180-4) for the SRTP authentication transform (RFC 3711 section 4.2.1),
/// with the key's inner and outer pad blocks hashed once at construction, so one packet costs only
/// its own blocks plus one outer block. The message is given in two parts because SRTP
/// authenticates the packet followed by the rollover counter. Not thread-safe.
/// </summary>
internal sealed class HmacSha1
{
    public const int DigestLength = 20;
    private const int BlockLength = 64;

    private readonly Sha1State _inner;
    private readonly Sha1State _outer;

    public HmacSha1(ReadOnlySpan<byte> key)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        // SRTP session authentication keys are 20 bytes; longer-than-a-block keys are not needed.
        if (key.Length > BlockLength)
        {
            throw new ArgumentException("HMAC keys longer than a block are not supported.", nameof(key));
        }

        block.Clear();
        key.CopyTo(block);

        for (int i = 0; i < BlockLength; i++)
        {
            block[i] ^= 0x36;
        }

        _inner = Sha1State.Initial;
        Sha1.Compress(ref _inner, block);

        for (int i = 0; i < BlockLength; i++)
        {
            block[i] ^= 0x36 ^ 0x5C;
        }

        _outer = Sha1State.Initial;
        Sha1.Compress(ref _outer, block);
    }

    /// <summary>Writes HMAC(key, first | second) truncated to <paramref name="mac"/>.Length (at most 20) bytes.</summary>
    public void Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> mac)
    {
        if (second.Length > BlockLength || mac.Length > DigestLength)
        {
            throw new ArgumentException("Suffix longer than a block, or MAC longer than the digest.");
        }

        var state = _inner;
        int full = first.Length & ~(BlockLength - 1);
        for (int i = 0; i < full; i += BlockLength)
        {
            Sha1.Compress(ref state, first.Slice(i, BlockLength));
        }

        // Tail: rest of first, all of second, 0x80, zeros, 64-bit bit length; one to three blocks.
        Span<byte> tail = stackalloc byte[3 * BlockLength];
        int rest = first.Length - full;
        first.Slice(full).CopyTo(tail);
        second.CopyTo(tail.Slice(rest));
        int used = rest + second.Length;
        tail[used] = 0x80;
        int tailLength = (used + 1 + 8 + BlockLength - 1) & ~(BlockLength - 1);
        ulong bits = (ulong)(BlockLength + first.Length + second.Length) * 8;
        BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(tailLength - 8), bits);
        for (int i = 0; i < tailLength; i += BlockLength)
        {
            Sha1.Compress(ref state, tail.Slice(i, BlockLength));
        }

        // Outer hash: one block holding the inner digest, 0x80, zeros and the length (64 + 20) * 8 bits.
        // The tail's first block is reused; bytes 21..55 are cleared because the inner tail wrote there.
        Span<byte> outerBlock = tail.Slice(0, BlockLength);
        state.WriteDigest(outerBlock);
        outerBlock[DigestLength] = 0x80;
        outerBlock.Slice(DigestLength + 1, BlockLength - DigestLength - 1 - 8).Clear();
        BinaryPrimitives.WriteUInt64BigEndian(outerBlock.Slice(BlockLength - 8), (BlockLength + DigestLength) * 8);
        state = _outer;
        Sha1.Compress(ref state, outerBlock);

        state.WriteDigest(tail.Slice(BlockLength));
        tail.Slice(BlockLength, mac.Length).CopyTo(mac);
    }
}

/// <summary>The five 32-bit chaining words of SHA-1.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Sha1State
{
    public uint A;
    public uint B;
    public uint C;
    public uint D;
    public uint E;

    public static Sha1State Initial => new() { A = 0x67452301, B = 0xEFCDAB89, C = 0x98BADCFE, D = 0x10325476, E = 0xC3D2E1F0 };

    public readonly void WriteDigest(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, A);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), B);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8), C);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(12), D);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(16), E);
    }
}

/// <summary>
/// The SHA-1 compression function (FIPS 180-4 section 6.1.2) over one 64-byte block. The message schedule
/// is expanded four words at a time with SSE (W[t] for t &lt; 32 from the standard recurrence with a fix-up for
/// the word that depends on its own vector, and W[t] = ROTL2(W[t-6] ^ W[t-16] ^ W[t-28] ^ W[t-32]) after),
/// with the round constants added; the 80 rounds are unrolled with the variables renamed instead of moved.
/// </summary>
internal static class Sha1
{
    private const uint K0 = 0x5A827999;
    private const uint K1 = 0x6ED9EBA1;
    private const uint K2 = 0x8F1BBCDC;
    private const uint K3 = 0xCA62C1D6;

    public static void Compress(ref Sha1State state, ReadOnlySpan<byte> block)
    {
        if (block.Length < 64)
        {
            throw new ArgumentException("A SHA-1 block is 64 bytes.", nameof(block));
        }

        if (NativeSha1.Available)
        {
            NativeSha1.Compress(ref state, block);
            return;
        }

        CompressManaged(ref state, block);
    }

    /// <summary>The managed compression (SSSE3 message schedule where available), the fallback and the reference.</summary>
    internal static void CompressManaged(ref Sha1State state, ReadOnlySpan<byte> block)
    {

        Span<uint> wk = stackalloc uint[80];
        if (Ssse3.IsSupported)
        {
            ScheduleSsse3(block, wk);
        }
        else
        {
            ScheduleScalar(block, wk);
        }

        uint a = state.A, b = state.B, c = state.C, d = state.D, e = state.E;

        Ch(a, ref b, c, d, ref e, wk[0]);
        Ch(e, ref a, b, c, ref d, wk[1]);
        Ch(d, ref e, a, b, ref c, wk[2]);
        Ch(c, ref d, e, a, ref b, wk[3]);
        Ch(b, ref c, d, e, ref a, wk[4]);
        Ch(a, ref b, c, d, ref e, wk[5]);
        Ch(e, ref a, b, c, ref d, wk[6]);
        Ch(d, ref e, a, b, ref c, wk[7]);
        Ch(c, ref d, e, a, ref b, wk[8]);
        Ch(b, ref c, d, e, ref a, wk[9]);
        Ch(a, ref b, c, d, ref e, wk[10]);
        Ch(e, ref a, b, c, ref d, wk[11]);
        Ch(d, ref e, a, b, ref c, wk[12]);
        Ch(c, ref d, e, a, ref b, wk[13]);
        Ch(b, ref c, d, e, ref a, wk[14]);
        Ch(a, ref b, c, d, ref e, wk[15]);
        Ch(e, ref a, b, c, ref d, wk[16]);
        Ch(d, ref e, a, b, ref c, wk[17]);
        Ch(c, ref d, e, a, ref b, wk[18]);
        Ch(b, ref c, d, e, ref a, wk[19]);
        Parity(a, ref b, c, d, ref e, wk[20]);
        Parity(e, ref a, b, c, ref d, wk[21]);
        Parity(d, ref e, a, b, ref c, wk[22]);
        Parity(c, ref d, e, a, ref b, wk[23]);
        Parity(b, ref c, d, e, ref a, wk[24]);
        Parity(a, ref b, c, d, ref e, wk[25]);
        Parity(e, ref a, b, c, ref d, wk[26]);
        Parity(d, ref e, a, b, ref c, wk[27]);
        Parity(c, ref d, e, a, ref b, wk[28]);
        Parity(b, ref c, d, e, ref a, wk[29]);
        Parity(a, ref b, c, d, ref e, wk[30]);
        Parity(e, ref a, b, c, ref d, wk[31]);
        Parity(d, ref e, a, b, ref c, wk[32]);
        Parity(c, ref d, e, a, ref b, wk[33]);
        Parity(b, ref c, d, e, ref a, wk[34]);
        Parity(a, ref b, c, d, ref e, wk[35]);
        Parity(e, ref a, b, c, ref d, wk[36]);
        Parity(d, ref e, a, b, ref c, wk[37]);
        Parity(c, ref d, e, a, ref b, wk[38]);
        Parity(b, ref c, d, e, ref a, wk[39]);
        Maj(a, ref b, c, d, ref e, wk[40]);
        Maj(e, ref a, b, c, ref d, wk[41]);
        Maj(d, ref e, a, b, ref c, wk[42]);
        Maj(c, ref d, e, a, ref b, wk[43]);
        Maj(b, ref c, d, e, ref a, wk[44]);
        Maj(a, ref b, c, d, ref e, wk[45]);
        Maj(e, ref a, b, c, ref d, wk[46]);
        Maj(d, ref e, a, b, ref c, wk[47]);
        Maj(c, ref d, e, a, ref b, wk[48]);
        Maj(b, ref c, d, e, ref a, wk[49]);
        Maj(a, ref b, c, d, ref e, wk[50]);
        Maj(e, ref a, b, c, ref d, wk[51]);
        Maj(d, ref e, a, b, ref c, wk[52]);
        Maj(c, ref d, e, a, ref b, wk[53]);
        Maj(b, ref c, d, e, ref a, wk[54]);
        Maj(a, ref b, c, d, ref e, wk[55]);
        Maj(e, ref a, b, c, ref d, wk[56]);
        Maj(d, ref e, a, b, ref c, wk[57]);
        Maj(c, ref d, e, a, ref b, wk[58]);
        Maj(b, ref c, d, e, ref a, wk[59]);
        Parity(a, ref b, c, d, ref e, wk[60]);
        Parity(e, ref a, b, c, ref d, wk[61]);
        Parity(d, ref e, a, b, ref c, wk[62]);
        Parity(c, ref d, e, a, ref b, wk[63]);
        Parity(b, ref c, d, e, ref a, wk[64]);
        Parity(a, ref b, c, d, ref e, wk[65]);
        Parity(e, ref a, b, c, ref d, wk[66]);
        Parity(d, ref e, a, b, ref c, wk[67]);
        Parity(c, ref d, e, a, ref b, wk[68]);
        Parity(b, ref c, d, e, ref a, wk[69]);
        Parity(a, ref b, c, d, ref e, wk[70]);
        Parity(e, ref a, b, c, ref d, wk[71]);
        Parity(d, ref e, a, b, ref c, wk[72]);
        Parity(c, ref d, e, a, ref b, wk[73]);
        Parity(b, ref c, d, e, ref a, wk[74]);
        Parity(a, ref b, c, d, ref e, wk[75]);
        Parity(e, ref a, b, c, ref d, wk[76]);
        Parity(d, ref e, a, b, ref c, wk[77]);
        Parity(c, ref d, e, a, ref b, wk[78]);
        Parity(b, ref c, d, e, ref a, wk[79]);

        state.A += a;
        state.B += b;
        state.C += c;
        state.D += d;
        state.E += e;
    }

    internal static void ScheduleScalar(ReadOnlySpan<byte> block, Span<uint> wk)
    {
        Span<uint> w = stackalloc uint[80];
        for (int t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(t * 4));
        }

        for (int t = 16; t < 80; t++)
        {
            w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }

        for (int t = 0; t < 80; t++)
        {
            wk[t] = w[t] + (t < 20 ? K0 : t < 40 ? K1 : t < 60 ? K2 : K3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ScheduleSsse3(ReadOnlySpan<byte> block, Span<uint> wk)
    {
        if (wk.Length < 80 || block.Length < 64)
        {
            throw new ArgumentException("The block has 64 bytes and the schedule 80 words.");
        }

        // Unrolled into locals so the vectors stay in registers; each line is one group of four words.
        var swap = Vector128.Create((byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
        ref byte src = ref MemoryMarshal.GetReference(block);
        ref uint dst = ref MemoryMarshal.GetReference(wk);
        var v0 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 0), swap).AsUInt32();
        var v1 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 16), swap).AsUInt32();
        var v2 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 32), swap).AsUInt32();
        var v3 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, 48), swap).AsUInt32();
        var v4 = Early(v3, v2, v1, v0);
        var v5 = Early(v4, v3, v2, v1);
        var v6 = Early(v5, v4, v3, v2);
        var v7 = Early(v6, v5, v4, v3);
        var v8 = Late(v7, v6, v4, v1, v0);
        var v9 = Late(v8, v7, v5, v2, v1);
        var v10 = Late(v9, v8, v6, v3, v2);
        var v11 = Late(v10, v9, v7, v4, v3);
        var v12 = Late(v11, v10, v8, v5, v4);
        var v13 = Late(v12, v11, v9, v6, v5);
        var v14 = Late(v13, v12, v10, v7, v6);
        var v15 = Late(v14, v13, v11, v8, v7);
        var v16 = Late(v15, v14, v12, v9, v8);
        var v17 = Late(v16, v15, v13, v10, v9);
        var v18 = Late(v17, v16, v14, v11, v10);
        var v19 = Late(v18, v17, v15, v12, v11);
        (v0 + Vector128.Create(K0)).StoreUnsafe(ref dst, 0);
        (v1 + Vector128.Create(K0)).StoreUnsafe(ref dst, 4);
        (v2 + Vector128.Create(K0)).StoreUnsafe(ref dst, 8);
        (v3 + Vector128.Create(K0)).StoreUnsafe(ref dst, 12);
        (v4 + Vector128.Create(K0)).StoreUnsafe(ref dst, 16);
        (v5 + Vector128.Create(K1)).StoreUnsafe(ref dst, 20);
        (v6 + Vector128.Create(K1)).StoreUnsafe(ref dst, 24);
        (v7 + Vector128.Create(K1)).StoreUnsafe(ref dst, 28);
        (v8 + Vector128.Create(K1)).StoreUnsafe(ref dst, 32);
        (v9 + Vector128.Create(K1)).StoreUnsafe(ref dst, 36);
        (v10 + Vector128.Create(K2)).StoreUnsafe(ref dst, 40);
        (v11 + Vector128.Create(K2)).StoreUnsafe(ref dst, 44);
        (v12 + Vector128.Create(K2)).StoreUnsafe(ref dst, 48);
        (v13 + Vector128.Create(K2)).StoreUnsafe(ref dst, 52);
        (v14 + Vector128.Create(K2)).StoreUnsafe(ref dst, 56);
        (v15 + Vector128.Create(K3)).StoreUnsafe(ref dst, 60);
        (v16 + Vector128.Create(K3)).StoreUnsafe(ref dst, 64);
        (v17 + Vector128.Create(K3)).StoreUnsafe(ref dst, 68);
        (v18 + Vector128.Create(K3)).StoreUnsafe(ref dst, 72);
        (v19 + Vector128.Create(K3)).StoreUnsafe(ref dst, 76);
    }

    // W[t..t+3] for t < 32: the standard recurrence; lane 3 needs W[t] from lane 0, patched in after.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Early(Vector128<uint> m1, Vector128<uint> m2, Vector128<uint> m3, Vector128<uint> m4)
    {
        var x = Sse2.ShiftRightLogical128BitLane(m1.AsByte(), 4).AsUInt32()
            ^ m2
            ^ Ssse3.AlignRight(m3.AsByte(), m4.AsByte(), 8).AsUInt32()
            ^ m4;
        var r = RotateLeft1(x);
        return r ^ RotateLeft1(Sse2.ShiftLeftLogical128BitLane(r.AsByte(), 12).AsUInt32());
    }

    // W[t..t+3] for t >= 32: W[t] = ROTL2(W[t-6] ^ W[t-16] ^ W[t-28] ^ W[t-32]), no dependency within the vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Late(Vector128<uint> m1, Vector128<uint> m2, Vector128<uint> m4, Vector128<uint> m7, Vector128<uint> m8) =>
        RotateLeft2(Ssse3.AlignRight(m1.AsByte(), m2.AsByte(), 8).AsUInt32() ^ m4 ^ m7 ^ m8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateLeft1(Vector128<uint> x) => Sse2.ShiftLeftLogical(x, 1) | Sse2.ShiftRightLogical(x, 31);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateLeft2(Vector128<uint> x) => Sse2.ShiftLeftLogical(x, 2) | Sse2.ShiftRightLogical(x, 30);

    // The rotation of a is added last: a is the previous round's result, so the dependency chain
    // per round is one rotate and one add; the other terms are ready earlier.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Ch(uint a, ref uint b, uint c, uint d, ref uint e, uint wk)
    {
        e = e + wk + (d ^ (b & (c ^ d))) + BitOperations.RotateLeft(a, 5);
        b = BitOperations.RotateLeft(b, 30);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Parity(uint a, ref uint b, uint c, uint d, ref uint e, uint wk)
    {
        e = e + wk + (b ^ c ^ d) + BitOperations.RotateLeft(a, 5);
        b = BitOperations.RotateLeft(b, 30);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Maj(uint a, ref uint b, uint c, uint d, ref uint e, uint wk)
    {
        e = e + wk + ((b & c) | (d & (b | c))) + BitOperations.RotateLeft(a, 5);
        b = BitOperations.RotateLeft(b, 30);
    }
}
