using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Media.Srtp;

/// <summary>
/// The per-packet transform of one profile over derived session keys. The context has already parsed
/// the header, estimated the index and checked replay; the cipher only encrypts, decrypts and tags.
/// </summary>
internal abstract class SrtpCipher : IDisposable
{
    protected SrtpCipher(SrtpProfile profile) => Profile = profile;

    public SrtpProfile Profile { get; }

    public static SrtpCipher Create(SrtpMasterKey key, bool useIntrinsics) => key.Profile switch
    {
        SrtpProfile.AeadAes128Gcm => new AesGcmSrtpCipher(key, useIntrinsics),
        _ => new AesCmHmacSha1Cipher(key, useIntrinsics),
    };

    /// <summary>Encrypts buffer[headerLength..length] and writes the tag at buffer[length..].</summary>
    public abstract void ProtectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index);

    /// <summary>Verifies the tag at the end of buffer[..length] and decrypts the payload in place.</summary>
    public abstract bool UnprotectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index);

    /// <summary>Encrypts buffer[8..length], appends the E flag + index word and the tag; returns the new length.</summary>
    public abstract int ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint index);

    /// <summary>Offset of the E flag + SRTCP index word in a protected packet of <paramref name="length"/> bytes.</summary>
    public abstract int RtcpIndexOffset(int length);

    /// <summary>Verifies and, when the E flag is set, decrypts; returns the plain length or -1 on a bad tag.</summary>
    public abstract int UnprotectRtcp(Span<byte> buffer, int length, uint ssrc, uint indexWord);

    public abstract void Dispose();
}

/// <summary>
/// AES_CM_128_HMAC_SHA1_80 and _32 (RFC 3711 sections 4.1.1, 4.2.1 and 3.4): the counter block is
/// (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16); the tag is HMAC-SHA1 over the packet and the ROC
/// (SRTP) or over the packet and the E + index word (SRTCP), truncated.
/// </summary>
internal sealed class AesCmHmacSha1Cipher : SrtpCipher
{
    private readonly Aes128Ctr _rtpCipher;
    private readonly Aes128Ctr _rtcpCipher;
    private readonly HmacSha1 _rtpAuth;
    private readonly HmacSha1 _rtcpAuth;
    private readonly byte[] _rtpSalt = new byte[14];
    private readonly byte[] _rtcpSalt = new byte[14];
    private readonly int _rtpTagLength;
    private readonly int _rtcpTagLength;

    public AesCmHmacSha1Cipher(SrtpMasterKey key, bool useIntrinsics)
        : base(key.Profile)
    {
        _rtpTagLength = key.Profile.RtpTagLength();
        _rtcpTagLength = key.Profile.RtcpTagLength();
        Span<byte> sessionKey = stackalloc byte[16];
        Span<byte> authKey = stackalloc byte[20];
        using var master = new Aes128Ctr(key.Key, useIntrinsics);

        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtpEncryption, sessionKey);
        _rtpCipher = new Aes128Ctr(sessionKey, useIntrinsics);
        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtpAuthentication, authKey);
        _rtpAuth = new HmacSha1(authKey);
        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtpSalt, _rtpSalt);

        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtcpEncryption, sessionKey);
        _rtcpCipher = new Aes128Ctr(sessionKey, useIntrinsics);
        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtcpAuthentication, authKey);
        _rtcpAuth = new HmacSha1(authKey);
        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtcpSalt, _rtcpSalt);

        CryptographicOperations.ZeroMemory(sessionKey);
        CryptographicOperations.ZeroMemory(authKey);
    }

    public bool UsesIntrinsics => _rtpCipher.UsesIntrinsics;

    public override void ProtectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index)
    {
        Span<byte> iv = stackalloc byte[16];
        CounterBlock(iv, _rtpSalt, ssrc, index);
        _rtpCipher.XorKeyStream(iv, buffer.Slice(headerLength, length - headerLength));

        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, (uint)(index >> 16));
        _rtpAuth.Compute(buffer.Slice(0, length), roc, buffer.Slice(length, _rtpTagLength));
    }

    public override bool UnprotectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index)
    {
        int authenticated = length - _rtpTagLength;
        Span<byte> roc = stackalloc byte[4];
        Span<byte> tag = stackalloc byte[HmacSha1.DigestLength];
        BinaryPrimitives.WriteUInt32BigEndian(roc, (uint)(index >> 16));
        _rtpAuth.Compute(buffer.Slice(0, authenticated), roc, tag.Slice(0, _rtpTagLength));
        if (!CryptographicOperations.FixedTimeEquals(tag.Slice(0, _rtpTagLength), buffer.Slice(authenticated, _rtpTagLength)))
        {
            return false;
        }

        Span<byte> iv = stackalloc byte[16];
        CounterBlock(iv, _rtpSalt, ssrc, index);
        _rtpCipher.XorKeyStream(iv, buffer.Slice(headerLength, authenticated - headerLength));
        return true;
    }

    public override int ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint index)
    {
        Span<byte> iv = stackalloc byte[16];
        CounterBlock(iv, _rtcpSalt, ssrc, index);
        _rtcpCipher.XorKeyStream(iv, buffer.Slice(8, length - 8));
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(length), 0x8000_0000u | index);
        _rtcpAuth.Compute(buffer.Slice(0, length + 4), default, buffer.Slice(length + 4, _rtcpTagLength));
        return length + 4 + _rtcpTagLength;
    }

    public override int RtcpIndexOffset(int length) => length - _rtcpTagLength - 4;

    public override int UnprotectRtcp(Span<byte> buffer, int length, uint ssrc, uint indexWord)
    {
        int authenticated = length - _rtcpTagLength;
        Span<byte> tag = stackalloc byte[HmacSha1.DigestLength];
        _rtcpAuth.Compute(buffer.Slice(0, authenticated), default, tag.Slice(0, _rtcpTagLength));
        if (!CryptographicOperations.FixedTimeEquals(tag.Slice(0, _rtcpTagLength), buffer.Slice(authenticated, _rtcpTagLength)))
        {
            return -1;
        }

        int plainLength = authenticated - 4;
        if ((indexWord & 0x8000_0000u) != 0)
        {
            Span<byte> iv = stackalloc byte[16];
            CounterBlock(iv, _rtcpSalt, ssrc, indexWord & 0x7FFF_FFFFu);
            _rtcpCipher.XorKeyStream(iv, buffer.Slice(8, plainLength - 8));
        }

        return plainLength;
    }

    public override void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        CryptographicOperations.ZeroMemory(_rtpSalt);
        CryptographicOperations.ZeroMemory(_rtcpSalt);
    }

    // RFC 3711 section 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).
    internal static void CounterBlock(Span<byte> iv, ReadOnlySpan<byte> salt, uint ssrc, ulong index)
    {
        iv.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(iv.Slice(4), ssrc);
        BinaryPrimitives.WriteUInt16BigEndian(iv.Slice(8), (ushort)(index >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(iv.Slice(10), (uint)index);
        for (int i = 0; i < 14; i++)
        {
            iv[i] ^= salt[i];
        }
    }
}

/// <summary>
/// AEAD_AES_128_GCM (RFC 7714): the IV is the session salt XOR (0 | SSRC | ROC | SEQ) for SRTP
/// (section 8.1) and XOR (0 | SSRC | 0 | index) for SRTCP (section 9.1). SRTP authenticates the header
/// as AAD and appends the tag; SRTCP puts the tag before the E + index word, which joins the AAD.
/// </summary>
internal sealed class AesGcmSrtpCipher : SrtpCipher
{
    private const int Tag = Aes128Gcm.TagLength;

    private readonly Aes128Gcm _rtp;
    private readonly Aes128Gcm _rtcp;
    private readonly byte[] _rtpSalt = new byte[12];
    private readonly byte[] _rtcpSalt = new byte[12];

    public AesGcmSrtpCipher(SrtpMasterKey key, bool useIntrinsics)
        : base(key.Profile)
    {
        Span<byte> sessionKey = stackalloc byte[16];
        using var master = new Aes128Ctr(key.Key, useIntrinsics);
        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtpEncryption, sessionKey);
        _rtp = new Aes128Gcm(sessionKey, useIntrinsics);
        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtpSalt, _rtpSalt);
        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtcpEncryption, sessionKey);
        _rtcp = new Aes128Gcm(sessionKey, useIntrinsics);
        SrtpKeyDerivation.Derive(master, key.Salt, SrtpKeyDerivation.RtcpSalt, _rtcpSalt);
        CryptographicOperations.ZeroMemory(sessionKey);
    }

    /// <summary>For the RFC 7714 vectors, which give session keys directly.</summary>
    internal AesGcmSrtpCipher(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> sessionSalt, bool useIntrinsics)
        : base(SrtpProfile.AeadAes128Gcm)
    {
        _rtp = new Aes128Gcm(sessionKey, useIntrinsics);
        _rtcp = new Aes128Gcm(sessionKey, useIntrinsics);
        sessionSalt.CopyTo(_rtpSalt);
        sessionSalt.CopyTo(_rtcpSalt);
    }

    public bool UsesIntrinsics => _rtp.UsesIntrinsics;

    public override void ProtectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index)
    {
        Span<byte> nonce = stackalloc byte[12];
        RtpNonce(nonce, ssrc, index);
        _rtp.Encrypt(nonce, buffer.Slice(headerLength, length - headerLength), buffer.Slice(0, headerLength), buffer.Slice(length, Tag));
    }

    public override bool UnprotectRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index)
    {
        Span<byte> nonce = stackalloc byte[12];
        RtpNonce(nonce, ssrc, index);
        int cipherEnd = length - Tag;
        return _rtp.Decrypt(nonce, buffer.Slice(headerLength, cipherEnd - headerLength), buffer.Slice(0, headerLength), buffer.Slice(cipherEnd, Tag));
    }

    public override int ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint index)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> aad = stackalloc byte[12];
        RtcpNonce(nonce, ssrc, index);
        uint word = 0x8000_0000u | index;
        buffer.Slice(0, 8).CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad.Slice(8), word);
        _rtcp.Encrypt(nonce, buffer.Slice(8, length - 8), aad, buffer.Slice(length, Tag));
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(length + Tag), word);
        return length + Tag + 4;
    }

    public override int RtcpIndexOffset(int length) => length - 4;

    public override int UnprotectRtcp(Span<byte> buffer, int length, uint ssrc, uint indexWord)
    {
        Span<byte> nonce = stackalloc byte[12];
        RtcpNonce(nonce, ssrc, indexWord & 0x7FFF_FFFFu);
        int tagOffset = length - 4 - Tag;
        var tag = buffer.Slice(tagOffset, Tag);
        if ((indexWord & 0x8000_0000u) != 0)
        {
            Span<byte> aad = stackalloc byte[12];
            buffer.Slice(0, 8).CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad.Slice(8), indexWord);
            return _rtcp.Decrypt(nonce, buffer.Slice(8, tagOffset - 8), aad, tag) ? tagOffset : -1;
        }

        // E = 0 (RFC 7714 section 9.3): the whole packet and the index word are AAD, nothing is encrypted.
        byte[] rented = ArrayPool<byte>.Shared.Rent(tagOffset + 4);
        try
        {
            buffer.Slice(0, tagOffset).CopyTo(rented);
            BinaryPrimitives.WriteUInt32BigEndian(rented.AsSpan(tagOffset), indexWord);
            return _rtcp.Decrypt(nonce, Span<byte>.Empty, rented.AsSpan(0, tagOffset + 4), tag) ? tagOffset : -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
        CryptographicOperations.ZeroMemory(_rtpSalt);
        CryptographicOperations.ZeroMemory(_rtcpSalt);
    }

    // RFC 7714 section 8.1: 00 00 | SSRC | ROC | SEQ, XOR the 96-bit session salt.
    private void RtpNonce(Span<byte> nonce, uint ssrc, ulong index)
    {
        BinaryPrimitives.WriteUInt16BigEndian(nonce, 0);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(2), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(6), (uint)(index >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(nonce.Slice(10), (ushort)index);
        Aes128Ctr.Xor(nonce, _rtpSalt);
    }

    // RFC 7714 section 9.1: 00 00 | SSRC | 00 00 | 0 + 31-bit index, XOR the 96-bit session salt.
    private void RtcpNonce(Span<byte> nonce, uint ssrc, uint index)
    {
        BinaryPrimitives.WriteUInt16BigEndian(nonce, 0);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(2), ssrc);
        BinaryPrimitives.WriteUInt16BigEndian(nonce.Slice(6), 0);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(8), index & 0x7FFF_FFFFu);
        Aes128Ctr.Xor(nonce, _rtcpSalt);
    }
}
