using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using AesNi = System.Runtime.Intrinsics.X86.Aes;

namespace Switchboard.Media.Srtp;

/// <summary>
/// AES-128 in counter mode with a 32-bit big-endian block counter in the last four bytes of the
/// counter block. That covers AES-CM (RFC 3711 section 4.1.1, where the low 16 bits start at zero and
/// never carry) and GCM's inc32 (NIST SP 800-38D). With AES-NI the key schedule is expanded once and
/// four blocks are kept in flight; otherwise the platform <see cref="System.Security.Cryptography.Aes"/>
/// encrypts a batch of counter blocks with ECB. Not thread-safe: one owner per context.
/// </summary>
internal sealed class Aes128Ctr : IDisposable
{
    private const int Rounds = 10;
    private const int FallbackBatch = 256;

    private readonly Vector128<byte>[]? _roundKeys;
    private readonly System.Security.Cryptography.Aes? _fallback;
    private readonly ICryptoTransform? _fallbackEncryptor;
    private readonly byte[]? _fallbackCounters;
    private readonly byte[]? _fallbackKeystream;

    public Aes128Ctr(ReadOnlySpan<byte> key, bool useIntrinsics = true)
    {
        if (key.Length != 16)
        {
            throw new ArgumentException("AES-128 needs a 16-byte key.", nameof(key));
        }

        if (useIntrinsics && IsHardwareAccelerated)
        {
            _roundKeys = ExpandKey(key);
        }
        else
        {
            // An ECB encryptor created once: TransformBlock on preallocated arrays allocates nothing per
            // call, unlike EncryptEcb, which builds a transform each time.
            _fallback = System.Security.Cryptography.Aes.Create();
            _fallback.Key = key.ToArray();
            _fallback.Mode = CipherMode.ECB;
            _fallback.Padding = PaddingMode.None;
            _fallbackEncryptor = _fallback.CreateEncryptor();
            _fallbackCounters = new byte[FallbackBatch];
            _fallbackKeystream = new byte[FallbackBatch];
        }
    }

    /// <summary>True when AES-NI (and SSE2) can be used on this machine.</summary>
    public static bool IsHardwareAccelerated => AesNi.IsSupported && Sse2.IsSupported;

    /// <summary>True when this instance runs on AES-NI.</summary>
    public bool UsesIntrinsics => _roundKeys is not null;

    /// <summary>Encrypts one 16-byte block.</summary>
    public void EncryptBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length < 16 || output.Length < 16)
        {
            throw new ArgumentException("A block is 16 bytes.");
        }

        if (_roundKeys is not null)
        {
            var block = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(input));
            EncryptNi(_roundKeys, block).StoreUnsafe(ref MemoryMarshal.GetReference(output));
        }
        else
        {
            input.Slice(0, 16).CopyTo(_fallbackCounters);
            _fallbackEncryptor!.TransformBlock(_fallbackCounters!, 0, 16, _fallbackKeystream!, 0);
            _fallbackKeystream.AsSpan(0, 16).CopyTo(output);
        }
    }

    /// <summary>
    /// XORs <paramref name="data"/> in place with the keystream E(k, C), E(k, C + 1), ... where C is
    /// <paramref name="counterBlock"/> and the addition is on its last 32 bits, big-endian.
    /// </summary>
    public void XorKeyStream(ReadOnlySpan<byte> counterBlock, Span<byte> data)
    {
        if (counterBlock.Length != 16)
        {
            throw new ArgumentException("The counter block is 16 bytes.", nameof(counterBlock));
        }

        if (_roundKeys is not null)
        {
            XorKeyStreamNi(_roundKeys, counterBlock, data);
        }
        else
        {
            XorKeyStreamFallback(counterBlock, data);
        }
    }

    public void Dispose()
    {
        if (_roundKeys is not null)
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_roundKeys.AsSpan()));
        }

        _fallbackEncryptor?.Dispose();
        _fallback?.Dispose();
    }

    private static Vector128<byte>[] ExpandKey(ReadOnlySpan<byte> key)
    {
        var rk = new Vector128<byte>[Rounds + 1];
        rk[0] = Vector128.Create(key);
        rk[1] = ExpandStep(rk[0], AesNi.KeygenAssist(rk[0], 0x01));
        rk[2] = ExpandStep(rk[1], AesNi.KeygenAssist(rk[1], 0x02));
        rk[3] = ExpandStep(rk[2], AesNi.KeygenAssist(rk[2], 0x04));
        rk[4] = ExpandStep(rk[3], AesNi.KeygenAssist(rk[3], 0x08));
        rk[5] = ExpandStep(rk[4], AesNi.KeygenAssist(rk[4], 0x10));
        rk[6] = ExpandStep(rk[5], AesNi.KeygenAssist(rk[5], 0x20));
        rk[7] = ExpandStep(rk[6], AesNi.KeygenAssist(rk[6], 0x40));
        rk[8] = ExpandStep(rk[7], AesNi.KeygenAssist(rk[7], 0x80));
        rk[9] = ExpandStep(rk[8], AesNi.KeygenAssist(rk[8], 0x1B));
        rk[10] = ExpandStep(rk[9], AesNi.KeygenAssist(rk[9], 0x36));
        return rk;
    }

    // FIPS 197 section 5.2 for Nk = 4: w[i] = w[i-4] ^ SubWord(RotWord(w[i-1])) ^ Rcon, done as
    // a running XOR over the previous round key plus the broadcast assist word.
    private static Vector128<byte> ExpandStep(Vector128<byte> previous, Vector128<byte> assist)
    {
        assist = Sse2.Shuffle(assist.AsInt32(), 0xFF).AsByte();
        previous ^= Sse2.ShiftLeftLogical128BitLane(previous, 4);
        previous ^= Sse2.ShiftLeftLogical128BitLane(previous, 4);
        previous ^= Sse2.ShiftLeftLogical128BitLane(previous, 4);
        return previous ^ assist;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> EncryptNi(ReadOnlySpan<Vector128<byte>> rk, Vector128<byte> block)
    {
        if (rk.Length <= Rounds)
        {
            throw new ArgumentException("Key schedule too short.", nameof(rk));
        }

        block ^= rk[0];
        for (int r = 1; r < Rounds; r++)
        {
            block = AesNi.Encrypt(block, rk[r]);
        }

        return AesNi.EncryptLast(block, rk[Rounds]);
    }

    private static void XorKeyStreamNi(ReadOnlySpan<Vector128<byte>> rk, ReadOnlySpan<byte> counterBlock, Span<byte> data)
    {
        if (rk.Length <= Rounds)
        {
            throw new ArgumentException("Key schedule too short.", nameof(rk));
        }

        var baseBlock = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(counterBlock)).AsUInt32();
        uint counter = BinaryPrimitives.ReadUInt32BigEndian(counterBlock.Slice(12));
        ref byte d = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint offset = 0;

        while (length - offset >= 64)
        {
            var b0 = baseBlock.WithElement(3, BinaryPrimitives.ReverseEndianness(counter)).AsByte() ^ rk[0];
            var b1 = baseBlock.WithElement(3, BinaryPrimitives.ReverseEndianness(counter + 1)).AsByte() ^ rk[0];
            var b2 = baseBlock.WithElement(3, BinaryPrimitives.ReverseEndianness(counter + 2)).AsByte() ^ rk[0];
            var b3 = baseBlock.WithElement(3, BinaryPrimitives.ReverseEndianness(counter + 3)).AsByte() ^ rk[0];
            for (int r = 1; r < Rounds; r++)
            {
                var k = rk[r];
                b0 = AesNi.Encrypt(b0, k);
                b1 = AesNi.Encrypt(b1, k);
                b2 = AesNi.Encrypt(b2, k);
                b3 = AesNi.Encrypt(b3, k);
            }

            var last = rk[Rounds];
            (AesNi.EncryptLast(b0, last) ^ Vector128.LoadUnsafe(ref d, offset)).StoreUnsafe(ref d, offset);
            (AesNi.EncryptLast(b1, last) ^ Vector128.LoadUnsafe(ref d, offset + 16)).StoreUnsafe(ref d, offset + 16);
            (AesNi.EncryptLast(b2, last) ^ Vector128.LoadUnsafe(ref d, offset + 32)).StoreUnsafe(ref d, offset + 32);
            (AesNi.EncryptLast(b3, last) ^ Vector128.LoadUnsafe(ref d, offset + 48)).StoreUnsafe(ref d, offset + 48);
            counter += 4;
            offset += 64;
        }

        while (length - offset >= 16)
        {
            var ks = EncryptNi(rk, baseBlock.WithElement(3, BinaryPrimitives.ReverseEndianness(counter)).AsByte());
            (ks ^ Vector128.LoadUnsafe(ref d, offset)).StoreUnsafe(ref d, offset);
            counter++;
            offset += 16;
        }

        if (offset < length)
        {
            var ks = EncryptNi(rk, baseBlock.WithElement(3, BinaryPrimitives.ReverseEndianness(counter)).AsByte());
            Span<byte> tail = stackalloc byte[16];
            ks.StoreUnsafe(ref MemoryMarshal.GetReference(tail));
            for (int i = 0; offset < length; i++, offset++)
            {
                Unsafe.Add(ref d, offset) ^= tail[i];
            }
        }
    }

    private void XorKeyStreamFallback(ReadOnlySpan<byte> counterBlock, Span<byte> data)
    {
        var counters = _fallbackCounters.AsSpan();
        uint counter = BinaryPrimitives.ReadUInt32BigEndian(counterBlock.Slice(12));
        while (!data.IsEmpty)
        {
            int chunk = Math.Min(data.Length, FallbackBatch);
            int blocks = (chunk + 15) / 16;
            for (int b = 0; b < blocks; b++)
            {
                var slot = counters.Slice(b * 16, 16);
                counterBlock.Slice(0, 12).CopyTo(slot);
                BinaryPrimitives.WriteUInt32BigEndian(slot.Slice(12), counter++);
            }

            _fallbackEncryptor!.TransformBlock(_fallbackCounters!, 0, blocks * 16, _fallbackKeystream!, 0);
            Xor(data.Slice(0, chunk), _fallbackKeystream);
            data = data.Slice(chunk);
        }
    }

    /// <summary>data ^= mask over data.Length bytes.</summary>
    internal static void Xor(Span<byte> data, ReadOnlySpan<byte> mask)
    {
        if (mask.Length < data.Length)
        {
            throw new ArgumentException("The mask is shorter than the data.", nameof(mask));
        }

        int i = 0;
        ref byte d = ref MemoryMarshal.GetReference(data);
        ref byte m = ref MemoryMarshal.GetReference(mask);
        for (; i + 16 <= data.Length; i += 16)
        {
            (Vector128.LoadUnsafe(ref d, (nuint)i) ^ Vector128.LoadUnsafe(ref m, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= mask[i];
        }
    }
}
