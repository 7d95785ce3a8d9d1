using Switchboard.Media.Srtp;
using static Switchboard.Media.Tests.Srtp.SrtpTestPackets;

namespace Switchboard.Media.Tests.Srtp;

public sealed class SrtpContextTests
{
    public static TheoryData<SrtpProfile> AllProfiles => new(Profiles);

    private static (SrtpContext Sender, SrtpContext Receiver) Pair(SrtpProfile profile, bool useIntrinsics = true)
    {
        var key = Key(profile, 42);
        return (new SrtpContext(SrtpCipher.Create(key, useIntrinsics)), new SrtpContext(SrtpCipher.Create(key, useIntrinsics)));
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Rtp_round_trip(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        for (ushort seq = 1000; seq < 1100; seq++)
        {
            var packet = RtpPacket(seq);
            var original = packet.AsSpan(0, 172).ToArray();
            Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(packet, 172, out int protectedLength));
            Assert.Equal(172 + profile.RtpTagLength(), protectedLength);
            Assert.NotEqual(original.AsSpan(12).ToArray(), packet.AsSpan(12, 160).ToArray());
            Assert.Equal(original.AsSpan(0, 12).ToArray(), packet.AsSpan(0, 12).ToArray());

            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(packet, protectedLength, out int plainLength));
            Assert.Equal(172, plainLength);
            Assert.Equal(original, packet.AsSpan(0, plainLength).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Rtp_with_csrcs_and_header_extension_keeps_the_header_clear(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var packet = RtpPacket(7, payload: 40);
        packet[0] = 0x80 | 0x10 | 0x01; // X = 1, CC = 1: 4 bytes of CSRC, then a 1-word extension
        packet[18] = 0x00; // extension length (bytes 16-19: profile 0xBEDE? any, length = 1)
        packet[19] = 0x01;
        var header = packet.AsSpan(0, 24).ToArray();
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(packet, 52, out int length));
        Assert.Equal(header, packet.AsSpan(0, 24).ToArray());
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(packet, length, out int plain));
        Assert.Equal(52, plain);
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Tampered_packets_fail_authentication_and_change_nothing(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var packet = RtpPacket(5);
        sender.ProtectRtp(packet, 172, out int length);
        foreach (int position in new[] { 1, 3, 9, 12, 100, length - 1 })
        {
            var copy = (byte[])packet.Clone();
            copy[position] ^= 0x04;
            Assert.Equal(SrtpResult.AuthFailed, receiver.UnprotectRtp(copy, length, out _));
        }

        Assert.Equal(0, receiver.StreamCount);
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(packet, length, out _));
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Replayed_packet_is_rejected(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var packet = RtpPacket(5);
        sender.ProtectRtp(packet, 172, out int length);
        var copy = (byte[])packet.Clone();
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(packet, length, out _));
        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp(copy, length, out _));
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Out_of_order_packets_within_the_window_are_accepted_once(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var sent = new List<(byte[] Packet, int Length)>();
        for (ushort seq = 0; seq < 200; seq++)
        {
            var packet = RtpPacket(seq);
            sender.ProtectRtp(packet, 172, out int length);
            sent.Add((packet, length));
        }

        // Deliver 150..199 first, then 199 down to 72 (within 128 of 199), then something too old.
        for (int i = 150; i < 200; i++)
        {
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp((byte[])sent[i].Packet.Clone(), sent[i].Length, out _));
        }

        for (int i = 149; i >= 200 - SrtpReplayWindow.Size; i--)
        {
            var copy = (byte[])sent[i].Packet.Clone();
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(copy, sent[i].Length, out int plain));
            Assert.Equal(RtpPacket((ushort)i).AsSpan(0, 172).ToArray(), copy.AsSpan(0, plain).ToArray());
            Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp((byte[])sent[i].Packet.Clone(), sent[i].Length, out _));
        }

        int tooOld = 199 - SrtpReplayWindow.Size;
        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp((byte[])sent[tooOld].Packet.Clone(), sent[tooOld].Length, out _));
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Rollover_counter_wraps_at_sequence_65535(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var seqs = new List<ushort>();
        for (int s = 65530; s < 65536 + 6; s++)
        {
            seqs.Add((ushort)s);
        }

        // Deliver with one reorder across the wrap: ..., 65535, 1, 0, 2, ...
        var packets = seqs.Select(seq =>
        {
            var p = RtpPacket(seq);
            Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(p, 172, out int length));
            return (seq, p, length);
        }).ToList();
        Assert.True(sender.TryGetRolloverCounter(0x11223344, out uint senderRoc));
        Assert.Equal(1u, senderRoc);

        var order = packets.ToList();
        (order[6], order[7]) = (order[7], order[6]);
        foreach (var (seq, p, length) in order)
        {
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(p, length, out int plain));
            Assert.Equal(RtpPacket(seq).AsSpan(0, 172).ToArray(), p.AsSpan(0, plain).ToArray());
        }

        Assert.True(receiver.TryGetRolloverCounter(0x11223344, out uint receiverRoc));
        Assert.Equal(1u, receiverRoc);
    }

    [Fact]
    public void A_late_packet_from_before_the_wrap_uses_the_previous_roc()
    {
        var (sender, receiver) = Pair(SrtpProfile.AesCm128HmacSha1_80);
        var beforeWrap = RtpPacket(65534);
        var late = RtpPacket(65535);
        var afterWrap = RtpPacket(3);
        sender.ProtectRtp(beforeWrap, 172, out int beforeLength);
        sender.ProtectRtp(late, 172, out int lateLength);
        sender.ProtectRtp(afterWrap, 172, out int afterLength);

        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(beforeWrap, beforeLength, out _));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(afterWrap, afterLength, out _));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(late, lateLength, out _));
        Assert.True(receiver.TryGetRolloverCounter(0x11223344, out uint roc));
        Assert.Equal(1u, roc);
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void High_rollover_counters_protect_and_unprotect(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        ulong highest = (0xDEADBEEFUL << 16) | 0xFFF0;
        sender.SeedStream(0x11223344, highest, 0);
        receiver.SeedStream(0x11223344, highest, 0);
        foreach (ushort seq in new ushort[] { 0xFFF5, 0xFFFF, 0x0003 })
        {
            var packet = RtpPacket(seq);
            Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(packet, 172, out int length));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(packet, length, out _));
        }

        Assert.True(receiver.TryGetRolloverCounter(0x11223344, out uint roc));
        Assert.Equal(0xDEADBEF0u, roc);
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void A_stale_roc_on_the_receiver_fails_authentication(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        sender.SeedStream(0x11223344, 5UL << 16, 0);
        var packet = RtpPacket(10);
        sender.ProtectRtp(packet, 172, out int length);
        Assert.Equal(SrtpResult.AuthFailed, receiver.UnprotectRtp(packet, length, out _));
    }

    [Fact]
    public void Index_exhaustion_is_reported_not_wrapped()
    {
        var (sender, _) = Pair(SrtpProfile.AesCm128HmacSha1_80);
        sender.SeedStream(0x11223344, SrtpIndex.Max, 0x7FFF_FFFF);
        Assert.Equal(SrtpResult.IndexExhausted, sender.ProtectRtp(RtpPacket(0), 172, out _));
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtcp(SrtpTestPackets.RtcpPacket(0x11223344), 32, out _));
        Assert.Equal(SrtpResult.IndexExhausted, sender.ProtectRtcp(SrtpTestPackets.RtcpPacket(0x11223344), 32, out _));
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Rtcp_round_trip_and_replay(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        for (int i = 0; i < 5; i++)
        {
            var packet = SrtpTestPackets.RtcpPacket();
            var original = packet.AsSpan(0, 32).ToArray();
            Assert.Equal(SrtpResult.Ok, sender.ProtectRtcp(packet, 32, out int length));
            Assert.Equal(32 + profile.RtcpOverhead(), length);
            Assert.NotEqual(original.AsSpan(8).ToArray(), packet.AsSpan(8, 24).ToArray());
            var copy = (byte[])packet.Clone();

            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(packet, length, out int plain));
            Assert.Equal(original, packet.AsSpan(0, plain).ToArray());
            Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtcp(copy, length, out _));
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Tampered_rtcp_fails_authentication(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var packet = SrtpTestPackets.RtcpPacket();
        sender.ProtectRtcp(packet, 32, out int length);
        foreach (int position in new[] { 1, 5, 8, 31, length - 12, length - 1 })
        {
            var copy = (byte[])packet.Clone();
            copy[position] ^= 0x01;
            Assert.NotEqual(SrtpResult.Ok, receiver.UnprotectRtcp(copy, length, out _));
        }

        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(packet, length, out _));
    }

    [Fact]
    public void Aes_cm_srtcp_keeps_an_80_bit_tag_in_the_32_bit_profile()
    {
        Assert.Equal(4, SrtpProfile.AesCm128HmacSha1_32.RtpTagLength());
        Assert.Equal(14, SrtpProfile.AesCm128HmacSha1_32.RtcpOverhead());
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Bad_input_gives_typed_results(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        Assert.Equal(SrtpResult.TooShort, sender.ProtectRtp(new byte[64], 11, out _));
        Assert.Equal(SrtpResult.Malformed, sender.ProtectRtp(new byte[64], 12, out _)); // version 0
        var noRoom = RtpPacket(1, room: 0);
        Assert.Equal(SrtpResult.BufferTooSmall, sender.ProtectRtp(noRoom, noRoom.Length, out _));
        var csrcs = RtpPacket(1, payload: 0);
        csrcs[0] = 0x8F; // 15 CSRCs do not fit in 12 + 32 bytes
        Assert.Equal(SrtpResult.Malformed, sender.ProtectRtp(csrcs, 12, out _));
        var extension = RtpPacket(1, payload: 2);
        extension[0] = 0x90;
        Assert.Equal(SrtpResult.Malformed, sender.ProtectRtp(extension, 14, out _));
        Assert.Equal(SrtpResult.TooShort, receiver.UnprotectRtp(RtpPacket(1), 12 + profile.RtpTagLength() - 1, out _));
        Assert.Equal(SrtpResult.TooShort, receiver.UnprotectRtcp(SrtpTestPackets.RtcpPacket(), 8 + profile.RtcpOverhead() - 1, out _));
        Assert.Equal(SrtpResult.BufferTooSmall, sender.ProtectRtcp(SrtpTestPackets.RtcpPacket(room: 0), 32, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => sender.ProtectRtp(new byte[10], 11, out _));
    }

    [Fact]
    public void New_ssrcs_beyond_the_limit_are_refused()
    {
        var key = Key(SrtpProfile.AeadAes128Gcm, 9);
        using var sender = new SrtpContext(key);
        using var receiver = new SrtpContext(key, maxStreams: 2);
        for (uint ssrc = 1; ssrc <= 3; ssrc++)
        {
            var packet = RtpPacket(1, ssrc);
            sender.ProtectRtp(packet, 172, out int length);
            var expected = ssrc <= 2 ? SrtpResult.Ok : SrtpResult.TooManyStreams;
            Assert.Equal(expected, receiver.UnprotectRtp(packet, length, out _));
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void Intrinsic_and_managed_paths_produce_the_same_packets(SrtpProfile profile)
    {
        var key = Key(profile, 77);
        using var fast = new SrtpContext(SrtpCipher.Create(key, useIntrinsics: true));
        using var slow = new SrtpContext(SrtpCipher.Create(key, useIntrinsics: false));
        using var slowReceiver = new SrtpContext(SrtpCipher.Create(key, useIntrinsics: false));
        for (ushort seq = 0; seq < 50; seq++)
        {
            var a = RtpPacket(seq, payload: seq * 7);
            var b = (byte[])a.Clone();
            fast.ProtectRtp(a, 12 + (seq * 7), out int la);
            slow.ProtectRtp(b, 12 + (seq * 7), out int lb);
            Assert.Equal(b.AsSpan(0, lb).ToArray(), a.AsSpan(0, la).ToArray());
            Assert.Equal(SrtpResult.Ok, slowReceiver.UnprotectRtp(a, la, out _));

            var c = SrtpTestPackets.RtcpPacket();
            var d = (byte[])c.Clone();
            fast.ProtectRtcp(c, 32, out int lc);
            slow.ProtectRtcp(d, 32, out int ld);
            Assert.Equal(d.AsSpan(0, ld).ToArray(), c.AsSpan(0, lc).ToArray());
        }
    }

    public static TheoryData<SrtpProfile, string, string, string, string, bool> LibsrtpVectors()
    {
        var data = new TheoryData<SrtpProfile, string, string, string, string, bool>();
        foreach (bool useIntrinsics in new[] { true, false })
        {
            data.Add(SrtpProfile.AesCm128HmacSha1_80, SrtpVectors.Rfc3711B3.MasterKey, SrtpVectors.Rfc3711B3.MasterSalt, SrtpVectors.Libsrtp.AesCmRtp, SrtpVectors.Libsrtp.AesCmRtcp, useIntrinsics);
            data.Add(SrtpProfile.AeadAes128Gcm, SrtpVectors.Libsrtp.GcmMasterKey, SrtpVectors.Libsrtp.GcmMasterSalt, SrtpVectors.Libsrtp.GcmRtp, SrtpVectors.Libsrtp.GcmRtcp, useIntrinsics);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LibsrtpVectors))]
    public void Libsrtp_known_answer_packets(SrtpProfile profile, string masterKey, string masterSalt, string rtp, string rtcp, bool useIntrinsics)
    {
        var key = new SrtpMasterKey(profile, SrtpVectors.Hex(masterKey), SrtpVectors.Hex(masterSalt));
        using var sender = new SrtpContext(SrtpCipher.Create(key, useIntrinsics));
        using var receiver = new SrtpContext(SrtpCipher.Create(key, useIntrinsics));

        var buffer = new byte[64];
        SrtpVectors.Hex(SrtpVectors.Libsrtp.RtpPlain).CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, 28, out int length));
        Assert.Equal(SrtpVectors.Hex(rtp), buffer.AsSpan(0, length).ToArray());
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(buffer, length, out length));
        Assert.Equal(SrtpVectors.Hex(SrtpVectors.Libsrtp.RtpPlain), buffer.AsSpan(0, length).ToArray());

        buffer = new byte[64];
        SrtpVectors.Hex(SrtpVectors.Libsrtp.RtcpPlain).CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtcp(buffer, 24, out length));
        Assert.Equal(SrtpVectors.Hex(rtcp), buffer.AsSpan(0, length).ToArray());
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(buffer, length, out length));
        Assert.Equal(SrtpVectors.Hex(SrtpVectors.Libsrtp.RtcpPlain), buffer.AsSpan(0, length).ToArray());
    }
}
