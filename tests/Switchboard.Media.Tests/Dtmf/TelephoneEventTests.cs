using Switchboard.Media.Dtmf;

namespace Switchboard.Media.Tests.Dtmf;

public class TelephoneEventTests
{
    [Fact]
    public void Rfc4733_payload_layout()
    {
        // Event 5 ('5'), E=1, R=0, volume 10, duration 800 (100 ms at 8 kHz).
        var buffer = new byte[4];
        Assert.True(new TelephoneEvent(5, true, 10, 800).TryWrite(buffer));
        Assert.Equal(new byte[] { 0x05, 0x8A, 0x03, 0x20 }, buffer);
        Assert.True(TelephoneEvent.TryRead(buffer, out TelephoneEvent ev));
        Assert.Equal(new TelephoneEvent(5, true, 10, 800), ev);
    }

    [Fact]
    public void Reserved_bit_is_ignored_on_read()
    {
        Assert.True(TelephoneEvent.TryRead([11, 0x7F, 0xFF, 0xFF], out TelephoneEvent ev));
        Assert.Equal(new TelephoneEvent(11, false, 63, 65535), ev);
    }

    [Fact]
    public void Short_payload_is_refused()
    {
        for (int n = 0; n < 4; n++)
        {
            Assert.False(TelephoneEvent.TryRead(new byte[n], out _));
            Assert.False(default(TelephoneEvent).TryWrite(new byte[n]));
        }
    }

    [Theory]
    [InlineData('0', 0)]
    [InlineData('9', 9)]
    [InlineData('*', 10)]
    [InlineData('#', 11)]
    [InlineData('A', 12)]
    [InlineData('d', 15)]
    public void Symbols_map_to_rfc4733_section_3_2_codes(char symbol, byte code)
    {
        Assert.True(DtmfEvents.TryFromSymbol(symbol, out byte actual));
        Assert.Equal(code, actual);
        Assert.Equal(char.ToUpperInvariant(symbol), DtmfEvents.ToSymbol(code));
    }

    [Fact]
    public void Unknown_symbol_is_refused()
    {
        Assert.False(DtmfEvents.TryFromSymbol('x', out _));
        Assert.Equal('!', DtmfEvents.ToSymbol(16));
        Assert.Equal('?', DtmfEvents.ToSymbol(200));
    }
}
