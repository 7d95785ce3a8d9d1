using System.Text;
using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>The page's quality report is untrusted input: only a small, well-formed report of known, finite figures is kept.</summary>
public sealed class PageQualityTests
{
    private static bool Parse(string json, out PageQuality? quality) => PageQuality.TryParse(Encoding.UTF8.GetBytes(json), out quality);

    [Fact]
    public void A_full_report_is_kept_and_written_back_as_compact_json()
    {
        Assert.True(Parse("""{"type":"quality","lossPercent":4.25,"jitterMs":12.34,"roundTripMs":48,"audioLevel":0.00012,"warning":"loss"}""", out var q));

        Assert.Equal(new PageQuality(4.25, 12.34, 48, 0.00012, "loss"), q);
        Assert.Equal("""{"lossPercent":4.25,"jitterMs":12.3,"roundTripMs":48,"audioLevel":0.0001,"warning":"loss"}""", q!.ToJson());
    }

    [Fact]
    public void Round_trip_level_and_warning_may_be_null_or_absent()
    {
        Assert.True(Parse("""{"type":"quality","lossPercent":0,"jitterMs":0,"roundTripMs":null,"audioLevel":null,"warning":null}""", out var q));
        Assert.Equal(new PageQuality(0, 0, null, null, null), q);
        Assert.Equal("""{"lossPercent":0,"jitterMs":0}""", q!.ToJson());
        Assert.True(Parse("""{"type":"quality","jitterMs":3,"lossPercent":1}""", out _));
    }

    [Theory]
    [InlineData("""{"type":"quality","lossPercent":101,"jitterMs":1}""")]
    [InlineData("""{"type":"quality","lossPercent":-0.1,"jitterMs":1}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":10001}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":1e400}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":1,"roundTripMs":-1}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":1,"audioLevel":1.5}""")]
    [InlineData("""{"type":"quality","lossPercent":"1","jitterMs":1}""")]
    [InlineData("""{"type":"quality","lossPercent":null,"jitterMs":1}""")]
    [InlineData("""{"type":"quality","jitterMs":1}""")]
    [InlineData("""{"type":"quality","lossPercent":1}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":1,"warning":"evil"}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":1,"warning":1}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":1,"extra":1}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"lossPercent":2,"jitterMs":1}""")]
    [InlineData("""{"type":"phases","lossPercent":1,"jitterMs":1}""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":{"x":1}}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"type":"quality","lossPercent":1,"jitterMs":1""")]
    public void A_report_that_breaks_any_rule_is_dropped_whole(string json)
    {
        Assert.False(Parse(json, out var q));
        Assert.Null(q);
    }

    [Fact]
    public void An_oversized_or_non_utf8_report_is_dropped_before_parsing()
    {
        var padded = """{"type":"quality","lossPercent":1,"jitterMs":1,"warning":null""" + new string(' ', PageQuality.MaxBytes) + "}";
        Assert.False(Parse(padded, out _));
        var bytes = Encoding.UTF8.GetBytes("""{"type":"quality","lossPercent":1,"jitterMs":1}""");
        bytes[3] = 0xff;
        Assert.False(PageQuality.TryParse(bytes, out _));
    }
}
