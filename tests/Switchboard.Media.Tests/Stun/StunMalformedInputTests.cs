using System.Buffers.Binary;
using Switchboard.Media.Stun;
using static Switchboard.Media.Tests.Stun.Rfc5769Vectors;

namespace Switchboard.Media.Tests.Stun;

/// <summary>Bad input is a status value: the parser never throws and never reads out of bounds.</summary>
public class StunMalformedInputTests
{
    [Theory]
    [MemberData(nameof(Rfc5769Vectors.All), MemberType = typeof(Rfc5769Vectors))]
    public void Truncated_at_every_byte_is_rejected_without_throwing(string name, byte[] vector)
    {
        Assert.NotNull(name);
        for (int cut = 0; cut < vector.Length; cut++)
        {
            StunParseStatus status = StunMessage.TryParse(vector.AsSpan(0, cut), out _);
            Assert.NotEqual(StunParseStatus.Ok, status);
            Assert.Equal(cut < StunConstants.HeaderLength ? StunParseStatus.TooShort : StunParseStatus.BadLength, status);
        }

        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(vector, out _));
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.All), MemberType = typeof(Rfc5769Vectors))]
    public void A_length_field_cut_at_every_attribute_boundary_parses_only_a_well_formed_prefix(string name, byte[] vector)
    {
        Assert.NotNull(name);
        for (int cut = StunConstants.HeaderLength; cut < vector.Length; cut += 4)
        {
            byte[] prefix = vector[..cut];
            BinaryPrimitives.WriteUInt16BigEndian(prefix.AsSpan(2), (ushort)(cut - StunConstants.HeaderLength));
            StunParseStatus status = StunMessage.TryParse(prefix, out StunMessage message);
            Assert.True(status is StunParseStatus.Ok or StunParseStatus.AttributeOverrun, $"cut {cut}: {status}");
            if (status == StunParseStatus.Ok)
            {
                ExerciseEveryGetter(message);
            }
        }
    }

    [Fact]
    public void Bad_magic_cookie_is_reported()
    {
        byte[] copy = (byte[])SampleRequest.Clone();
        copy[4] ^= 0xFF;
        Assert.Equal(StunParseStatus.BadMagicCookie, StunMessage.TryParse(copy, out _));
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x80)]
    [InlineData(0xC0)]
    public void Top_bits_set_is_not_stun(byte first)
    {
        byte[] copy = (byte[])SampleRequest.Clone();
        copy[0] |= first;
        Assert.Equal(StunParseStatus.NotStun, StunMessage.TryParse(copy, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(-4)]
    [InlineData(0x1000)]
    public void Length_field_that_disagrees_with_the_datagram_is_bad_length(int delta)
    {
        byte[] copy = (byte[])SampleRequest.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(2), (ushort)(copy.Length - StunConstants.HeaderLength + delta));
        Assert.Equal(StunParseStatus.BadLength, StunMessage.TryParse(copy, out _));
    }

    [Fact]
    public void Trailing_bytes_after_the_message_are_bad_length()
    {
        byte[] longer = [.. SampleRequest, 0, 0, 0, 0];
        Assert.Equal(StunParseStatus.BadLength, StunMessage.TryParse(longer, out _));
    }

    [Fact]
    public void Attribute_longer_than_the_message_is_an_overrun()
    {
        byte[] copy = (byte[])SampleRequest.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(22), 0x00FF); // SOFTWARE claims 255 bytes
        Assert.Equal(StunParseStatus.AttributeOverrun, StunMessage.TryParse(copy, out _));
    }

    [Fact]
    public void Bad_fingerprint_is_reported_invalid()
    {
        byte[] copy = (byte[])SampleRequest.Clone();
        copy[^1] ^= 0x01;
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(copy, out StunMessage message));
        Assert.Equal(StunCheck.Invalid, message.CheckFingerprint());
        Assert.Equal(StunCheck.Valid, message.CheckMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBt"u8));
    }

    [Fact]
    public void An_attribute_after_fingerprint_is_rejected()
    {
        byte[] longer = [.. SampleRequest, 0x80, 0x22, 0x00, 0x00];
        BinaryPrimitives.WriteUInt16BigEndian(longer.AsSpan(2), (ushort)(longer.Length - StunConstants.HeaderLength));
        Assert.Equal(StunParseStatus.FingerprintNotLast, StunMessage.TryParse(longer, out _));
    }

    [Theory]
    [InlineData(0x0008, 19)] // MESSAGE-INTEGRITY
    [InlineData(0x8028, 8)] // FINGERPRINT
    [InlineData(0x0024, 8)] // PRIORITY
    [InlineData(0x0025, 4)] // USE-CANDIDATE
    [InlineData(0x802A, 4)] // ICE-CONTROLLING
    public void Fixed_size_attributes_with_another_size_are_rejected(ushort type, int length)
    {
        byte[] message = Build((type, new byte[length]));
        Assert.Equal(StunParseStatus.BadAttributeLength, StunMessage.TryParse(message, out _));
    }

    [Fact]
    public void Unknown_comprehension_required_attributes_are_counted_and_listed_optional_ones_are_not()
    {
        byte[] message = Build((0x7777, new byte[] { 1, 2, 3 }), (0xC057, new byte[] { 0, 1, 0, 0 }), (0x0033, Array.Empty<byte>()));
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(message, out StunMessage parsed));
        Assert.Equal(2, parsed.UnknownComprehensionRequiredCount);
        Span<ushort> unknown = stackalloc ushort[4];
        int n = parsed.CopyUnknownComprehensionRequired(unknown);
        Assert.Equal([0x7777, 0x0033], unknown[..n].ToArray());
    }

    [Fact]
    public void Attributes_after_message_integrity_are_ignored()
    {
        Span<byte> buffer = stackalloc byte[128];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, new byte[12]);
        writer.AddMessageIntegrity("key"u8);
        writer.AddUsername("late:comer"u8);
        writer.AddAttribute(0x7777, [1, 2, 3, 4]);
        writer.AddFingerprint();

        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(writer.Written, out StunMessage parsed));
        Assert.False(parsed.TryGetUsername(out _));
        Assert.Equal(0, parsed.UnknownComprehensionRequiredCount);
        Assert.Equal(StunCheck.Valid, parsed.CheckMessageIntegrity("key"u8));
        Assert.Equal(StunCheck.Valid, parsed.CheckFingerprint());
    }

    [Fact]
    public void Malformed_xor_mapped_address_and_error_code_read_as_absent()
    {
        byte[] message = Build((0x0020, new byte[] { 0, 3, 0, 0, 1, 2, 3, 4 }), (0x0009, new byte[] { 0, 0, 9, 120 }));
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(message, out StunMessage parsed));
        Assert.False(parsed.TryGetXorMappedAddress(out _));
        Assert.False(parsed.TryGetErrorCode(out _, out _));
    }

    [Fact]
    public void Random_mutations_of_the_vectors_never_throw()
    {
        var random = new Random(5769);
        byte[][] seeds = [SampleRequest, SampleIPv4Response, SampleIPv6Response, LongTermRequest];
        for (int i = 0; i < 50_000; i++)
        {
            byte[] buffer = (byte[])seeds[i % seeds.Length].Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
            {
                buffer[random.Next(buffer.Length)] ^= (byte)(1 << random.Next(8));
            }

            if (i % 3 == 0)
            {
                // Keep the header valid so the attribute walk gets the mutations.
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(0), 0x0001);
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(buffer.Length - StunConstants.HeaderLength));
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), StunConstants.MagicCookie);
            }

            if (StunMessage.TryParse(buffer, out StunMessage message) == StunParseStatus.Ok)
            {
                ExerciseEveryGetter(message);
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7983);
        byte[] buffer = new byte[256];
        for (int i = 0; i < 50_000; i++)
        {
            int length = random.Next(buffer.Length + 1) & ~3;
            random.NextBytes(buffer);
            buffer[0] &= 0x3F;
            if (length >= StunConstants.HeaderLength)
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(length - StunConstants.HeaderLength));
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), StunConstants.MagicCookie);
            }

            if (StunMessage.TryParse(buffer.AsSpan(0, length), out StunMessage message) == StunParseStatus.Ok)
            {
                ExerciseEveryGetter(message);
            }
        }
    }

    private static void ExerciseEveryGetter(StunMessage message)
    {
        _ = message.Method;
        _ = message.Class;
        _ = message.TransactionId;
        message.TryGetUsername(out _);
        message.TryGetPriority(out _);
        message.TryGetIceControlled(out _);
        message.TryGetIceControlling(out _);
        message.TryGetXorMappedAddress(out _);
        message.TryGetErrorCode(out _, out _);
        message.TryGetAttribute(0x8022, out _);
        message.CheckMessageIntegrity("key"u8);
        message.CheckFingerprint();
        Span<ushort> unknown = stackalloc ushort[8];
        message.CopyUnknownComprehensionRequired(unknown);
        foreach (StunAttributeView attribute in message.Attributes)
        {
            _ = attribute.Value.Length;
        }
    }

    /// <summary>A Binding request with the given (type, value) attributes, zero-padded, no integrity.</summary>
    private static byte[] Build(params (ushort Type, byte[] Value)[] attributes)
    {
        byte[] buffer = new byte[512];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, new byte[12]);
        foreach ((ushort type, byte[] value) in attributes)
        {
            writer.AddAttribute(type, value);
        }

        return writer.Written.ToArray();
    }
}
