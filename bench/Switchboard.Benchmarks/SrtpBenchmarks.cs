using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Switchboard.Media.Srtp;

namespace Switchboard.Benchmarks;

/// <summary>
/// Protect and unprotect of one 172-byte PCMU packet (12-byte header, 160 bytes of payload), per profile,
/// on the AES-NI path and the managed fallback, against baselines built from the platform primitives.
/// Unprotect copies the protected packet into the work buffer and resets the replay window each time.
/// Min and median are shown because the shared 2-core machine is often loaded by other builds.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class SrtpBenchmarks : IDisposable
{
    private const int PacketLength = 172;
    private const uint Ssrc = 0x11223344;

    private readonly byte[] _buffer = new byte[256];
    private readonly byte[] _protectedCm = new byte[256];
    private readonly byte[] _protectedGcm = new byte[256];
    private readonly byte[] _digest = new byte[20];
    private readonly byte[] _tag = new byte[16];
    private readonly byte[] _counters = new byte[176];
    private readonly byte[] _keystream = new byte[176];
    private readonly byte[] _nonce = new byte[12];

    private SrtpContext _cmSender = null!;
    private SrtpContext _cmReceiver = null!;
    private SrtpContext _gcmSender = null!;
    private SrtpContext _gcmReceiver = null!;
    private SrtpContext _cmManagedSender = null!;
    private SrtpContext _gcmManagedSender = null!;
    private int _protectedCmLength;
    private int _protectedGcmLength;
    private ushort _seq;

    private System.Security.Cryptography.Aes _platformAes = null!;
    private HMACSHA1 _platformHmac = null!;
    private AesGcm _platformGcm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var cmKey = Key(SrtpProfile.AesCm128HmacSha1_80);
        var gcmKey = Key(SrtpProfile.AeadAes128Gcm);
        _cmSender = new SrtpContext(cmKey);
        _cmReceiver = new SrtpContext(cmKey);
        _gcmSender = new SrtpContext(gcmKey);
        _gcmReceiver = new SrtpContext(gcmKey);
        _cmManagedSender = new SrtpContext(SrtpCipher.Create(cmKey, useIntrinsics: false));
        _gcmManagedSender = new SrtpContext(SrtpCipher.Create(gcmKey, useIntrinsics: false));

        WritePacket(_protectedCm, 1);
        _cmSender.ProtectRtp(_protectedCm, PacketLength, out _protectedCmLength);
        WritePacket(_protectedGcm, 1);
        _gcmSender.ProtectRtp(_protectedGcm, PacketLength, out _protectedGcmLength);

        _platformAes = System.Security.Cryptography.Aes.Create();
        _platformAes.Key = new byte[16];
#pragma warning disable CA5350 // SRTP mandates HMAC-SHA1: this is the platform baseline.
        _platformHmac = new HMACSHA1(new byte[20]);
#pragma warning restore CA5350
        _platformGcm = new AesGcm(new byte[16], 16);

        // Unprotect must measure the success path, not a fast rejection.
        if (SrtpUnprotect_AesCm80() != PacketLength || SrtpUnprotect_AeadAes128Gcm() != PacketLength)
        {
            throw new InvalidOperationException("The unprotect benchmarks would not authenticate their packet.");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _cmSender.Dispose();
        _cmReceiver.Dispose();
        _gcmSender.Dispose();
        _gcmReceiver.Dispose();
        _cmManagedSender.Dispose();
        _gcmManagedSender.Dispose();
        _platformAes.Dispose();
        _platformHmac.Dispose();
        _platformGcm.Dispose();
    }

    [Benchmark]
    public int SrtpProtect_AesCm80() => Protect(_cmSender);

    [Benchmark]
    public int SrtpUnprotect_AesCm80() => Unprotect(_cmReceiver, _protectedCm, _protectedCmLength);

    [Benchmark]
    public int SrtpProtect_AeadAes128Gcm() => Protect(_gcmSender);

    [Benchmark]
    public int SrtpUnprotect_AeadAes128Gcm() => Unprotect(_gcmReceiver, _protectedGcm, _protectedGcmLength);

    [Benchmark]
    public int SrtpProtect_AesCm80_ManagedFallback() => Protect(_cmManagedSender);

    [Benchmark]
    public int SrtpProtect_AeadAes128Gcm_ManagedFallback() => Protect(_gcmManagedSender);

    /// <summary>Baseline: counter blocks through Aes.EncryptEcb, tag through a reused HMACSHA1.</summary>
    [Benchmark(Baseline = true)]
    public int SrtpBaseline_EcbAndHmacSha1()
    {
        WritePacket(_buffer, _seq++);
        var counters = _counters.AsSpan();
        for (int b = 0; b < 11; b++)
        {
            counters.Slice(b * 16, 14).Fill(0x5A);
            BinaryPrimitives.WriteUInt16BigEndian(counters.Slice((b * 16) + 14), (ushort)b);
        }

        _platformAes.EncryptEcb(_counters, _keystream, PaddingMode.None);
        for (int i = 0; i < 160; i++)
        {
            _buffer[12 + i] ^= _keystream[i];
        }

        _buffer.AsSpan(PacketLength, 4).Clear();
        _platformHmac.TryComputeHash(_buffer.AsSpan(0, PacketLength + 4), _digest, out _);
        _digest.AsSpan(0, 10).CopyTo(_buffer.AsSpan(PacketLength));
        return PacketLength + 10;
    }

    /// <summary>Baseline: the platform AesGcm over the payload with the header as AAD.</summary>
    [Benchmark]
    public int SrtpBaseline_PlatformAesGcm()
    {
        WritePacket(_buffer, _seq++);
        BinaryPrimitives.WriteUInt16BigEndian(_nonce.AsSpan(10), _seq);
        var payload = _buffer.AsSpan(12, 160);
        _platformGcm.Encrypt(_nonce, payload, payload, _tag, _buffer.AsSpan(0, 12));
        return PacketLength + 16;
    }

    private int Protect(SrtpContext context)
    {
        WritePacket(_buffer, _seq++);
        context.ProtectRtp(_buffer, PacketLength, out int length);
        return length;
    }

    private int Unprotect(SrtpContext context, byte[] packet, int length)
    {
        packet.AsSpan(0, length).CopyTo(_buffer);
        context.ResetReplayWindows();
        var result = context.UnprotectRtp(_buffer, length, out int plain);
        return result == SrtpResult.Ok ? plain : -1;
    }

    private static void WritePacket(byte[] buffer, ushort seq)
    {
        buffer[0] = 0x80;
        buffer[1] = 0x00;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), seq * 160u);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), Ssrc);
        buffer.AsSpan(12, 160).Fill(0xFF);
    }

    private static SrtpMasterKey Key(SrtpProfile profile)
    {
        var key = new byte[profile.MasterKeyLength()];
        var salt = new byte[profile.MasterSaltLength()];
        new Random(5764).NextBytes(key);
        new Random(3711).NextBytes(salt);
        return new SrtpMasterKey(profile, key, salt);
    }
}
