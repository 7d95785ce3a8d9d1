using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace Switchboard.Media.Srtp;

/// <summary>
/// AES-128-GCM with a 12-byte nonce and a 16-byte tag (NIST SP 800-38D), in place on spans.
/// With AES-NI and PCLMULQDQ it runs on <see cref="Aes128Ctr"/> plus a carry-less-multiply GHASH;
/// otherwise on the platform <see cref="AesGcm"/>, created once. Not thread-safe.
/// </summary>
internal sealed class Aes128Gcm : IDisposable
{
    public const int NonceLength = 12;
    public const int TagLength = 16;

    private readonly Aes128Ctr? _ctr;
    private readonly GhashKey _hashKey;
    private readonly AesGcm? _fallback;

    public Aes128Gcm(ReadOnlySpan<byte> key, bool useIntrinsics = true)
    {
        if (useIntrinsics && IsHardwareAccelerated)
        {
            _ctr = new Aes128Ctr(key);
            Span<byte> h = stackalloc byte[16];
            h.Clear();
            _ctr.EncryptBlock(h, h);
            _hashKey = new GhashKey(Ghash.Prepare(h));
        }
        else
        {
            _fallback = new AesGcm(key, TagLength);
        }
    }

    /// <summary>True when AES-NI, PCLMULQDQ and SSSE3 can be used on this machine.</summary>
    public static bool IsHardwareAccelerated => Aes128Ctr.IsHardwareAccelerated && Pclmulqdq.IsSupported && Ssse3.IsSupported;

    /// <summary>True when this instance runs on the intrinsic path.</summary>
    public bool UsesIntrinsics => _ctr is not null;

    /// <summary>Encrypts <paramref name="data"/> in place and writes the tag over <paramref name="tag"/>.</summary>
    public void Encrypt(ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> aad, Span<byte> tag)
    {
        if (_ctr is null)
        {
            _fallback!.Encrypt(nonce, data, data, tag.Slice(0, TagLength), aad);
            return;
        }

        Span<byte> counter = stackalloc byte[16];
        nonce.Slice(0, NonceLength).CopyTo(counter);
        BinaryPrimitives.WriteUInt32BigEndian(counter.Slice(12), 2);
        _ctr.XorKeyStream(counter, data);
        ComputeTag(counter, aad, data, tag);
    }

    /// <summary>Verifies the tag, then decrypts <paramref name="data"/> in place; false (and data untouched) on a bad tag.</summary>
    public bool Decrypt(ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> tag)
    {
        if (_ctr is null)
        {
            try
            {
                _fallback!.Decrypt(nonce, data, tag.Slice(0, TagLength), data, aad);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                // AesGcm clears the output on failure; in place that was the ciphertext, which the caller drops.
                return false;
            }
        }

        Span<byte> counter = stackalloc byte[16];
        Span<byte> expected = stackalloc byte[TagLength];
        nonce.Slice(0, NonceLength).CopyTo(counter);
        ComputeTag(counter, aad, data, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag.Slice(0, TagLength)))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(counter.Slice(12), 2);
        _ctr.XorKeyStream(counter, data);
        return true;
    }

    public void Dispose()
    {
        _ctr?.Dispose();
        _fallback?.Dispose();
    }

    // T = GHASH_H(A, C) ^ E(K, J0), J0 = nonce | 0x00000001. The first 12 bytes of counter hold the nonce.
    private void ComputeTag(Span<byte> counter, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> tag)
    {
        var y = Vector128<byte>.Zero;
        y = Ghash.Update(in _hashKey, y, aad);
        y = Ghash.Update(in _hashKey, y, ciphertext);
        y = Ghash.Lengths(in _hashKey, y, aad.Length, ciphertext.Length);

        BinaryPrimitives.WriteUInt32BigEndian(counter.Slice(12), 1);
        Span<byte> mask = stackalloc byte[16];
        mask.Clear();
        _ctr!.XorKeyStream(counter, mask);
        (Ghash.Finish(y) ^ Vector128.Create((ReadOnlySpan<byte>)mask)).StoreUnsafe(ref MemoryMarshal.GetReference(tag));
    }
}

/// <summary>H, H^2, H^3 and H^4 in GHASH's byte-reversed representation, for four-block aggregation.</summary>
internal readonly struct GhashKey
{
    public GhashKey(Vector128<byte> h)
    {
        H1 = h;
        H2 = Ghash.Multiply(h, h);
        H3 = Ghash.Multiply(H2, h);
        H4 = Ghash.Multiply(H3, h);
    }

    public Vector128<byte> H1 { get; }

    public Vector128<byte> H2 { get; }

    public Vector128<byte> H3 { get; }

    public Vector128<byte> H4 { get; }
}

/// <summary>
/// GHASH over GF(2^128) with PCLMULQDQ: blocks are byte-reversed on load so the field's bit-reflected
/// order becomes a plain 128-bit integer, multiplied carry-less (schoolbook, four products), shifted
/// left one bit for the reflection, and reduced modulo x^128 + x^7 + x^2 + x + 1. Four blocks at a time
/// are multiplied by H^4..H^1 and summed before one shared reduction (all steps are linear).
/// </summary>
internal static class Ghash
{
    private static readonly Vector128<byte> ReverseMask =
        Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);

    public static Vector128<byte> Prepare(ReadOnlySpan<byte> h) => Ssse3.Shuffle(Vector128.Create(h), ReverseMask);

    public static Vector128<byte> Finish(Vector128<byte> y) => Ssse3.Shuffle(y, ReverseMask);

    /// <summary>Absorbs <paramref name="data"/>, zero-padded to a whole block.</summary>
    public static Vector128<byte> Update(in GhashKey key, Vector128<byte> y, ReadOnlySpan<byte> data)
    {
        ref byte d = ref MemoryMarshal.GetReference(data);
        var mask = ReverseMask;
        int full = data.Length & ~15;
        int i = 0;
        if (full >= 64)
        {
            var h1 = key.H1;
            var h2 = key.H2;
            var h3 = key.H3;
            var h4 = key.H4;
            for (; i + 64 <= full; i += 64)
            {
                var x0 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref d, (nuint)i), mask) ^ y;
                var x1 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref d, (nuint)(i + 16)), mask);
                var x2 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref d, (nuint)(i + 32)), mask);
                var x3 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref d, (nuint)(i + 48)), mask);
                var (lo0, hi0) = MultiplyRaw(x0, h4);
                var (lo1, hi1) = MultiplyRaw(x1, h3);
                var (lo2, hi2) = MultiplyRaw(x2, h2);
                var (lo3, hi3) = MultiplyRaw(x3, h1);
                y = Reduce(lo0 ^ lo1 ^ lo2 ^ lo3, hi0 ^ hi1 ^ hi2 ^ hi3);
            }
        }

        for (; i < full; i += 16)
        {
            var x = Ssse3.Shuffle(Vector128.LoadUnsafe(ref d, (nuint)i), mask);
            y = Multiply(y ^ x, key.H1);
        }

        if (full < data.Length)
        {
            Span<byte> last = stackalloc byte[16];
            data.Slice(full).CopyTo(last);
            var x = Ssse3.Shuffle(Vector128.Create((ReadOnlySpan<byte>)last), mask);
            y = Multiply(y ^ x, key.H1);
        }

        return y;
    }

    /// <summary>Absorbs the final block len(A) | len(C) in bits.</summary>
    public static Vector128<byte> Lengths(in GhashKey key, Vector128<byte> y, int aadLength, int textLength)
    {
        // After byte reversal, the big-endian 64-bit len(A) becomes the upper lane and len(C) the lower.
        var x = Vector128.Create((ulong)textLength * 8, (ulong)aadLength * 8).AsByte();
        return Multiply(y ^ x, key.H1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Multiply(Vector128<byte> a, Vector128<byte> b)
    {
        var (lo, hi) = MultiplyRaw(a, b);
        return Reduce(lo, hi);
    }

    /// <summary>The 256-bit carry-less product hi:lo.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<ulong> Lo, Vector128<ulong> Hi) MultiplyRaw(Vector128<byte> a, Vector128<byte> b)
    {
        var a64 = a.AsUInt64();
        var b64 = b.AsUInt64();
        var lo = Pclmulqdq.CarrylessMultiply(a64, b64, 0x00);
        var mid = Pclmulqdq.CarrylessMultiply(a64, b64, 0x10) ^ Pclmulqdq.CarrylessMultiply(a64, b64, 0x01);
        var hi = Pclmulqdq.CarrylessMultiply(a64, b64, 0x11);
        lo ^= Sse2.ShiftLeftLogical128BitLane(mid.AsByte(), 8).AsUInt64();
        hi ^= Sse2.ShiftRightLogical128BitLane(mid.AsByte(), 8).AsUInt64();
        return (lo, hi);
    }

    /// <summary>Shifts hi:lo left one bit (the bit reflection) and reduces it modulo the GCM polynomial.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Reduce(Vector128<ulong> lo, Vector128<ulong> hi)
    {
        var lo32 = lo.AsUInt32();
        var hi32 = hi.AsUInt32();
        var loCarry = Sse2.ShiftRightLogical(lo32, 31);
        var hiCarry = Sse2.ShiftRightLogical(hi32, 31);
        lo32 = Sse2.ShiftLeftLogical(lo32, 1);
        hi32 = Sse2.ShiftLeftLogical(hi32, 1);
        var crossCarry = Sse2.ShiftRightLogical128BitLane(loCarry.AsByte(), 12).AsUInt32();
        hiCarry = Sse2.ShiftLeftLogical128BitLane(hiCarry.AsByte(), 4).AsUInt32();
        loCarry = Sse2.ShiftLeftLogical128BitLane(loCarry.AsByte(), 4).AsUInt32();
        lo32 |= loCarry;
        hi32 |= hiCarry | crossCarry;

        // First phase of the reduction.
        var t = Sse2.ShiftLeftLogical(lo32, 31) ^ Sse2.ShiftLeftLogical(lo32, 30) ^ Sse2.ShiftLeftLogical(lo32, 25);
        var tHigh = Sse2.ShiftRightLogical128BitLane(t.AsByte(), 4).AsUInt32();
        t = Sse2.ShiftLeftLogical128BitLane(t.AsByte(), 12).AsUInt32();
        lo32 ^= t;

        // Second phase.
        var u = Sse2.ShiftRightLogical(lo32, 1) ^ Sse2.ShiftRightLogical(lo32, 2) ^ Sse2.ShiftRightLogical(lo32, 7);
        u ^= tHigh;
        lo32 ^= u;
        return (hi32 ^ lo32).AsByte();
    }
}
