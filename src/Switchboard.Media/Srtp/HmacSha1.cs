using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

        // Outer hash: one block holding the inner digest.
        Span<byte> outerBlock = tail.Slice(0, BlockLength);
        state.WriteDigest(outerBlock);
        outerBlock[DigestLength] = 0x80;
        outerBlock.Slice(DigestLength + 1, BlockLength - DigestLength - 1 - 8).Clear();
        BinaryPrimitives.WriteUInt64BigEndian(outerBlock.Slice(BlockLength - 8), (BlockLength + DigestLength) * 8);
        state = _outer;
        Sha1.Compress(ref state, outerBlock);

        Span<byte> digest = stackalloc byte[DigestLength];
        state.WriteDigest(digest);
        digest.Slice(0, mac.Length).CopyTo(mac);
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

/// <summary>The SHA-1 compression function (FIPS 180-4 section 6.1.2) over one 64-byte block.</summary>
internal static class Sha1
{
    [InlineArray(16)]
    private struct Schedule
    {
        private uint _element0;
    }

    public static void Compress(ref Sha1State state, ReadOnlySpan<byte> block)
    {
        if (block.Length < 64)
        {
            throw new ArgumentException("A SHA-1 block is 64 bytes.", nameof(block));
        }

        Schedule schedule = default;
        Span<uint> w = schedule;
        for (int i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(i * 4));
        }

        uint a = state.A, b = state.B, c = state.C, d = state.D, e = state.E;

        // Rounds 0-15 use the block words directly; later rounds extend the schedule in a ring of 16.
        for (int t = 0; t < 16; t++)
        {
            uint temp = BitOperations.RotateLeft(a, 5) + (d ^ (b & (c ^ d))) + e + 0x5A827999 + w[t];
            e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = temp;
        }

        for (int t = 16; t < 20; t++)
        {
            uint temp = BitOperations.RotateLeft(a, 5) + (d ^ (b & (c ^ d))) + e + 0x5A827999 + Next(w, t);
            e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = temp;
        }

        for (int t = 20; t < 40; t++)
        {
            uint temp = BitOperations.RotateLeft(a, 5) + (b ^ c ^ d) + e + 0x6ED9EBA1 + Next(w, t);
            e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = temp;
        }

        for (int t = 40; t < 60; t++)
        {
            uint temp = BitOperations.RotateLeft(a, 5) + ((b & c) | (d & (b | c))) + e + 0x8F1BBCDC + Next(w, t);
            e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = temp;
        }

        for (int t = 60; t < 80; t++)
        {
            uint temp = BitOperations.RotateLeft(a, 5) + (b ^ c ^ d) + e + 0xCA62C1D6 + Next(w, t);
            e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = temp;
        }

        state.A += a;
        state.B += b;
        state.C += c;
        state.D += d;
        state.E += e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Next(Span<uint> w, int t)
    {
        uint value = BitOperations.RotateLeft(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
        w[t & 15] = value;
        return value;
    }
}
