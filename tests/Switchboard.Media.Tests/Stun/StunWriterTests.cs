using System.Net;
using System.Text;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Tests.Stun;

public class StunWriterTests
{
    private static readonly byte[] Tid = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    [Theory]
    [InlineData(StunMethod.Binding, StunClass.Request, 0x0001)]
    [InlineData(StunMethod.Binding, StunClass.Indication, 0x0011)]
    [InlineData(StunMethod.Binding, StunClass.SuccessResponse, 0x0101)]
    [InlineData(StunMethod.Binding, StunClass.ErrorResponse, 0x0111)]
    [InlineData((StunMethod)0x003, StunClass.Request, 0x0003)]
    [InlineData((StunMethod)0xFFF, StunClass.ErrorResponse, 0x3FFF)]
    public void Message_type_bits_follow_RFC_8489_figure_3(StunMethod method, StunClass messageClass, int type)
    {
        Assert.Equal((ushort)type, StunConstants.ComposeType(method, messageClass));
        Assert.Equal(method, StunConstants.MethodOf((ushort)type));
        Assert.Equal(messageClass, StunConstants.ClassOf((ushort)type));
    }

    [Fact]
    public void Error_response_round_trips_code_reason_and_unknown_attributes()
    {
        Span<byte> buffer = stackalloc byte[128];
        var writer = new StunWriter(buffer, StunConstants.BindingErrorResponse, Tid);
        Assert.True(writer.AddErrorCode(420, "Unknown Attribute"));
        Assert.True(writer.AddUnknownAttributes([0x7777, 0x0033]));
        Assert.True(writer.AddFingerprint());

        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(writer.Written, out StunMessage parsed));
        Assert.Equal(StunClass.ErrorResponse, parsed.Class);
        Assert.True(parsed.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason));
        Assert.Equal(420, code);
        Assert.Equal("Unknown Attribute", Encoding.UTF8.GetString(reason));
        Assert.True(parsed.TryGetAttribute((ushort)StunAttributeType.UnknownAttributes, out ReadOnlySpan<byte> list));
        Assert.Equal(new byte[] { 0x77, 0x77, 0x00, 0x33 }, list.ToArray());
        Assert.Equal(StunCheck.Valid, parsed.CheckFingerprint());
    }

    [Fact]
    public void Ice_attributes_round_trip()
    {
        Span<byte> buffer = stackalloc byte[128];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, Tid);
        writer.AddUsername("abcd:efgh"u8);
        writer.AddPriority(1_845_501_695);
        writer.AddIceControlling(0x0102030405060708);
        writer.AddUseCandidate();
        writer.AddMessageIntegrity("password-password-pass"u8);
        writer.AddFingerprint();

        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(writer.Written, out StunMessage parsed));
        Assert.True(parsed.TryGetPriority(out uint priority));
        Assert.Equal(1_845_501_695u, priority);
        Assert.True(parsed.TryGetIceControlling(out ulong tieBreaker));
        Assert.Equal(0x0102030405060708ul, tieBreaker);
        Assert.True(parsed.HasUseCandidate);
        Assert.Equal(StunCheck.Valid, parsed.CheckMessageIntegrity("password-password-pass"u8));
        Assert.Equal(StunCheck.Valid, parsed.CheckFingerprint());
    }

    [Fact]
    public void A_full_buffer_reports_overflow_and_keeps_a_well_formed_message()
    {
        Span<byte> buffer = stackalloc byte[32];
        var writer = new StunWriter(buffer, StunConstants.BindingSuccessResponse, Tid);
        Assert.True(writer.AddXorMappedAddress(TransportAddress.Create(IPAddress.Loopback, 5000)));
        Assert.False(writer.AddMessageIntegrity("k"u8));
        Assert.True(writer.Overflowed);
        Assert.False(writer.AddFingerprint());
        Assert.Equal(32, writer.Length);
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(writer.Written, out _));
    }

    [Fact]
    public void A_buffer_smaller_than_the_header_overflows_at_once()
    {
        Span<byte> buffer = stackalloc byte[10];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, Tid);
        Assert.True(writer.Overflowed);
        Assert.Equal(0, writer.Length);
        Assert.False(writer.AddUseCandidate());
    }

    [Fact]
    public void Programmer_errors_throw()
    {
        byte[] buffer = new byte[64];
        Assert.Throws<ArgumentException>(() => new StunWriter(buffer, StunConstants.BindingRequest, new byte[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var writer = new StunWriter(buffer, StunConstants.BindingErrorResponse, Tid);
            writer.AddErrorCode(200, "OK");
        });
    }

    [Fact]
    public void Crc32_matches_the_check_value()
    {
        // The standard CRC-32 check value of "123456789".
        Assert.Equal(0xCBF43926u, StunCrc32.Compute("123456789"u8));
        Assert.Equal(0u, StunCrc32.Compute([]));
        byte[] longer = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        Assert.Equal(0x414FA339u, StunCrc32.Compute(longer));
    }

    [Theory]
    [InlineData("192.0.2.7", 9)]
    [InlineData("2001:db8::1", 65535)]
    [InlineData("::ffff:10.0.0.1", 1234)]
    public void Transport_address_reads_a_socket_address_like_an_endpoint(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        Assert.True(TransportAddress.TryFromSocketAddress(endPoint.Serialize(), out TransportAddress fromSocket));
        Assert.Equal(TransportAddress.FromIPEndPoint(endPoint), fromSocket);
    }

    [Fact]
    public void Transport_address_maps_IPv4_in_IPv6_to_IPv4()
    {
        var mapped = TransportAddress.Create(IPAddress.Parse("::ffff:192.0.2.7"), 9);
        Assert.True(mapped.IsIPv4);
        Assert.Equal(TransportAddress.Create(IPAddress.Parse("192.0.2.7"), 9), mapped);
        Assert.Equal("192.0.2.7:9", mapped.ToString());
        Assert.Equal("[2001:db8::1]:443", TransportAddress.Create(IPAddress.Parse("2001:db8::1"), 443).ToString());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 9), mapped.ToIPEndPoint());
    }
}
