using Switchboard.Media.Srtp;

namespace Switchboard.Media.Tests.Srtp;

public sealed class SrtpIndexTests
{
    [Theory]
    [InlineData(0x0_0005UL, 6, 0x0_0006L)]
    [InlineData(0x0_FFFFUL, 0, 0x1_0000L)]
    [InlineData(0x0_FFF0UL, 5, 0x1_0005L)]
    [InlineData(0x1_0002UL, 0xFFFE, 0x0_FFFEL)]
    [InlineData(0x1_8000UL, 0x0001, 0x1_0001L)]
    [InlineData(0x1_8001UL, 0x0000, 0x2_0000L)]
    [InlineData(0x0_0010UL, 0xFFF0, -1L)]
    public void Estimates_the_index_as_in_rfc3711_appendix_a(ulong highest, int seq, long expected)
    {
        Assert.Equal(expected, SrtpIndex.Estimate(highest, (ushort)seq));
    }

    [Fact]
    public void Replay_window_tracks_the_last_128_indices()
    {
        var window = default(SrtpReplayWindow);
        Assert.True(window.Check(1000));
        window.Accept(1000);
        Assert.False(window.Check(1000));
        Assert.True(window.Check(999));
        Assert.True(window.Check(1000 - 127));
        Assert.False(window.Check(1000 - 128));
        window.Accept(995);
        Assert.False(window.Check(995));
        window.Accept(1200);
        Assert.True(window.Check(1100));
        Assert.False(window.Check(1000));
        Assert.False(window.Check(1200));
        window.Accept(1201);
        Assert.False(window.Check(1200));
    }
}
