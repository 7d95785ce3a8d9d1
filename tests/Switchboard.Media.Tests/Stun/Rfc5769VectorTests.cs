using System.Net;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Media.Stun;
using static Switchboard.Media.Tests.Stun.Rfc5769Vectors;

namespace Switchboard.Media.Tests.Stun;

public class Rfc5769VectorTests
{
    private static readonly byte[] ShortTermKey = Encoding.ASCII.GetBytes(ShortTermPassword);

    [Fact]
    public void Sample_request_parses_with_its_attributes()
    {
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(SampleRequest, out StunMessage message));

        Assert.Equal(StunMethod.Binding, message.Method);
        Assert.Equal(StunClass.Request, message.Class);
        Assert.Equal(TransactionId, message.TransactionId.ToArray());
        Assert.True(message.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal("evtj:h6vY", Encoding.UTF8.GetString(username));
        Assert.True(message.TryGetPriority(out uint priority));
        Assert.Equal(0x6e0001ffu, priority);
        Assert.True(message.TryGetIceControlled(out ulong tieBreaker));
        Assert.Equal(0x932ff9b151263b36ul, tieBreaker);
        Assert.False(message.TryGetIceControlling(out _));
        Assert.False(message.HasUseCandidate);
        Assert.True(message.TryGetAttribute((ushort)StunAttributeType.Software, out ReadOnlySpan<byte> software));
        Assert.Equal("STUN test client", Encoding.UTF8.GetString(software));
        Assert.Equal(0, message.UnknownComprehensionRequiredCount);
    }

    [Fact]
    public void Sample_request_integrity_and_fingerprint_check()
    {
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(SampleRequest, out StunMessage message));

        Assert.Equal(StunCheck.Valid, message.CheckMessageIntegrity(ShortTermKey));
        Assert.Equal(StunCheck.Invalid, message.CheckMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBu"u8));
        Assert.Equal(StunCheck.Valid, message.CheckFingerprint());
    }

    [Fact]
    public void A_prepared_key_checks_and_writes_the_same_integrity_as_the_one_shot_path()
    {
        using var key = new StunIntegrityKey(ShortTermKey);
        foreach (byte[] vector in new[] { SampleRequest, SampleIPv4Response, SampleIPv6Response })
        {
            Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(vector, out StunMessage message));
            Assert.Equal(StunCheck.Valid, message.CheckMessageIntegrity(key));
            Assert.Equal(StunCheck.Valid, message.CheckMessageIntegrity(key)); // the context resets between uses
        }

        using var wrong = new StunIntegrityKey("VOkJxbRl1RmTxUk/WvJxBu"u8);
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(SampleRequest, out StunMessage request));
        Assert.Equal(StunCheck.Invalid, request.CheckMessageIntegrity(wrong));

        Span<byte> buffer = stackalloc byte[200];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, TransactionId);
        writer.AddSoftware("STUN test client"u8);
        writer.AddPriority(0x6e0001ff);
        writer.AddIceControlled(0x932ff9b151263b36);
        writer.AddUsername("evtj:h6vY"u8, padding: 0x20);
        writer.AddMessageIntegrity(key);
        writer.AddFingerprint();
        Assert.Equal(SampleRequest, writer.Written.ToArray());
    }

    [Fact]
    public void Writer_reproduces_the_sample_request_byte_for_byte()
    {
        Span<byte> buffer = stackalloc byte[200];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, TransactionId);
        writer.AddSoftware("STUN test client"u8);
        writer.AddPriority(0x6e0001ff);
        writer.AddIceControlled(0x932ff9b151263b36);
        writer.AddUsername("evtj:h6vY"u8, padding: 0x20);
        writer.AddMessageIntegrity(ShortTermKey);
        writer.AddFingerprint();

        Assert.False(writer.Overflowed);
        Assert.Equal(SampleRequest, writer.Written.ToArray());
    }

    [Fact]
    public void Sample_IPv4_response_carries_192_0_2_1_port_32853()
    {
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(SampleIPv4Response, out StunMessage message));

        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.True(message.TryGetXorMappedAddress(out TransportAddress mapped));
        Assert.Equal(TransportAddress.Create(IPAddress.Parse("192.0.2.1"), 32853), mapped);
        Assert.Equal(StunCheck.Valid, message.CheckMessageIntegrity(ShortTermKey));
        Assert.Equal(StunCheck.Valid, message.CheckFingerprint());
    }

    [Fact]
    public void Writer_reproduces_the_sample_IPv4_response_byte_for_byte()
    {
        byte[] written = WriteResponse(TransportAddress.Create(IPAddress.Parse("192.0.2.1"), 32853));
        Assert.Equal(SampleIPv4Response, written);
    }

    [Fact]
    public void Sample_IPv6_response_carries_its_address()
    {
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(SampleIPv6Response, out StunMessage message));

        Assert.True(message.TryGetXorMappedAddress(out TransportAddress mapped));
        Assert.True(mapped.IsIPv6);
        Assert.Equal(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), mapped.ToIPAddress());
        Assert.Equal(32853, mapped.Port);
        Assert.Equal(StunCheck.Valid, message.CheckMessageIntegrity(ShortTermKey));
        Assert.Equal(StunCheck.Valid, message.CheckFingerprint());
    }

    [Fact]
    public void Writer_reproduces_the_sample_IPv6_response_byte_for_byte()
    {
        byte[] written = WriteResponse(TransportAddress.Create(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        Assert.Equal(SampleIPv6Response, written);
    }

    [Fact]
    public void Long_term_request_parses_and_its_integrity_checks_with_the_MD5_key()
    {
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(LongTermRequest, out StunMessage message));

        Assert.True(message.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal(LongTermUsername, Encoding.UTF8.GetString(username));
        Assert.True(message.TryGetAttribute((ushort)StunAttributeType.Nonce, out ReadOnlySpan<byte> nonce));
        Assert.Equal(LongTermNonce, Encoding.UTF8.GetString(nonce));
        Assert.True(message.TryGetAttribute((ushort)StunAttributeType.Realm, out ReadOnlySpan<byte> realm));
        Assert.Equal(LongTermRealm, Encoding.UTF8.GetString(realm));
        Assert.False(message.HasFingerprint);
        Assert.Equal(StunCheck.Absent, message.CheckFingerprint());
        Assert.Equal(StunCheck.Valid, message.CheckMessageIntegrity(LongTermKey(LongTermPassword)));
        Assert.Equal(StunCheck.Invalid, message.CheckMessageIntegrity(LongTermKey("thematrix")));
    }

    [Fact]
    public void Writer_reproduces_the_long_term_request_byte_for_byte()
    {
        Span<byte> buffer = stackalloc byte[200];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, LongTermTransactionId);
        writer.AddUsername(Encoding.UTF8.GetBytes(LongTermUsername));
        writer.AddAttribute(StunAttributeType.Nonce, Encoding.ASCII.GetBytes(LongTermNonce));
        writer.AddAttribute(StunAttributeType.Realm, Encoding.ASCII.GetBytes(LongTermRealm));
        writer.AddMessageIntegrity(LongTermKey(LongTermPassword));

        Assert.Equal(LongTermRequest, writer.Written.ToArray());
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.All), MemberType = typeof(Rfc5769Vectors))]
    public void Every_vector_fails_its_fingerprint_or_integrity_when_a_body_byte_flips(string name, byte[] vector)
    {
        Assert.NotNull(name);
        byte[] copy = (byte[])vector.Clone();
        copy[StunConstants.HeaderLength + 5] ^= 0x01; // inside the first attribute's value
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(copy, out StunMessage message));

        byte[] key = ReferenceEquals(vector, LongTermRequest) ? LongTermKey(LongTermPassword) : ShortTermKey;
        Assert.Equal(StunCheck.Invalid, message.CheckMessageIntegrity(key));
        Assert.NotEqual(StunCheck.Valid, message.CheckFingerprint());
    }

    private static byte[] WriteResponse(TransportAddress mapped)
    {
        Span<byte> buffer = stackalloc byte[200];
        var writer = new StunWriter(buffer, StunConstants.BindingSuccessResponse, TransactionId);
        writer.AddSoftware("test vector"u8, padding: 0x20);
        writer.AddXorMappedAddress(mapped);
        writer.AddMessageIntegrity(ShortTermKey);
        writer.AddFingerprint();
        Assert.False(writer.Overflowed);
        return writer.Written.ToArray();
    }

    /// <summary>RFC 8489 section 9.2.2 (RFC 5389 section 15.4): key = MD5(username ":" realm ":" SASLprep(password)).</summary>
    private static byte[] LongTermKey(string password)
    {
#pragma warning disable CA5351 // MD5 is what the long-term credential key is defined as; test only.
        return MD5.HashData(Encoding.UTF8.GetBytes($"{LongTermUsername}:{LongTermRealm}:{password}"));
#pragma warning restore CA5351
    }
}
