using Switchboard.Media.Demux;
using Switchboard.Media.Srtp;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// SRTP/SRTCP unprotect (RFC 3711 section 3.3, RFC 7714 for GCM) with fixed keys. The first byte picks
/// the profile; the rest is one datagram, which is (1) unprotected as received, where a refusal is an
/// <see cref="SrtpResult"/> other than Ok, and (2) taken as plain RTP/RTCP, protected by one side and
/// unprotected by the other, which must give back the same bytes: random bytes almost never carry a
/// valid tag, so only this path reaches the decryption after the check.
/// </summary>
public sealed class SrtpTarget : IFuzzTarget
{
    public const string TargetName = "srtp";

    private static readonly SrtpProfile[] Profiles = [SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32, SrtpProfile.AeadAes128Gcm];

    // RFC 3711 appendix B.3's master key and salt (GCM takes the first 12 salt bytes), and a second pair for the other direction.
    private static readonly byte[] KeyA = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] SaltA = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");
    private static readonly byte[] KeyB = Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C");
    private static readonly byte[] SaltB = Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");

    private const int Room = 64;

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var profile = Profiles[input[0] % Profiles.Length];
        var packet = input[1..];
        var saltLength = profile.MasterSaltLength();
        var a = new SrtpMasterKey(profile, KeyA, SaltA.AsSpan(0, saltLength));
        var b = new SrtpMasterKey(profile, KeyB, SaltB.AsSpan(0, saltLength));

        // Fresh sessions per input: replay windows and rollover counters must not carry over between inputs.
        using var sender = new SrtpSession(a, b);
        using var receiver = new SrtpSession(b, a);
        var rtcp = MediaDemux.Classify(packet) == DatagramKind.Rtcp;
        var buffer = new byte[packet.Length + Room];

        packet.CopyTo(buffer);
        var received = rtcp ? receiver.UnprotectRtcp(buffer, packet.Length, out var plain) : receiver.UnprotectRtp(buffer, packet.Length, out plain);
        CheckLength(received, plain, packet.Length);

        packet.CopyTo(buffer);
        var sent = rtcp ? sender.ProtectRtcp(buffer, packet.Length, out var protectedLength) : sender.ProtectRtp(buffer, packet.Length, out protectedLength);
        if (sent != SrtpResult.Ok)
        {
            return;
        }

        CheckLength(sent, protectedLength, buffer.Length);
        using var fresh = new SrtpSession(b, a);
        var back = rtcp ? fresh.UnprotectRtcp(buffer, protectedLength, out var length) : fresh.UnprotectRtp(buffer, protectedLength, out length);
        if (back != SrtpResult.Ok || !buffer.AsSpan(0, length).SequenceEqual(packet))
        {
            throw new FuzzInvariantException($"{profile}: a packet protected by one side does not unprotect to itself on the other ({back})");
        }
    }

    private static void CheckLength(SrtpResult result, int length, int limit)
    {
        if (result == SrtpResult.Ok && (length < 0 || length > limit))
        {
            throw new FuzzInvariantException($"{result} with length {length} outside 0..{limit}");
        }
    }
}
