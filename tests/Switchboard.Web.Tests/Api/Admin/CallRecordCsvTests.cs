using Switchboard.Pbx.Calls;
using Switchboard.Web.Api.Admin;

namespace Switchboard.Web.Tests.Api.Admin;

public sealed class CallRecordCsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(null, "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("+4930123", "+4930123")]
    [InlineData("-1", "-1")]
    [InlineData("=HYPERLINK(1)", "'=HYPERLINK(1)")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-x,y", "\"'-x,y\"")]
    public void Fields_are_quoted_per_rfc_4180_and_formulas_defused(string? value, string written) =>
        Assert.Equal(written, CallRecordCsv.Field(value));

    [Fact]
    public void A_record_is_one_crlf_line_under_the_header()
    {
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var csv = CallRecordCsv.Write([new CallRecord("c1", "demo.local", "100@demo.local", "101", "web", "extension",
            at, at.AddSeconds(2), at.AddSeconds(12.5), "hangup", "caller", "1#")]);

        Assert.Equal(CallRecordCsv.Header + "\r\n" +
            "c1,demo.local,100@demo.local,101,web,extension,2026-12-01T10:00:00.000+00:00,2026-12-01T10:00:02.000+00:00,2026-12-01T10:00:12.500+00:00,hangup,caller,10.5,1#,,,,,,,,,,,\r\n",
            csv);
    }

    [Fact]
    public void Each_legs_loss_jitter_round_trip_and_mos_follow_and_an_unknown_round_trip_is_empty()
    {
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var record = new CallRecord("c2", "demo.local", "100@demo.local", "101", "web", "extension", at, at, at.AddSeconds(5), "hangup", "caller", null)
        {
            CallerQuality = new LegQualityFigures(2.5, 12.3, 48.7, 4.12),
            CalleeQuality = new LegQualityFigures(0, 1.5, null, 4.39),
        };

        var line = CallRecordCsv.Write([record]).Split("\r\n")[1];

        Assert.EndsWith(",5,,2.5,12.3,48.7,4.12,0,1.5,,4.39,,,", line);
        Assert.Equal(CallRecordCsv.Header.Split(',').Length, line.Split(',').Length);
    }

    [Fact]
    public void A_queued_call_has_its_queue_wait_and_agent_last()
    {
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var record = new CallRecord("c3", "demo.local", "visitor", "800", "web", "queue:sales", at, at.AddSeconds(30), at.AddSeconds(90), "hangup", "caller", null)
        {
            Queue = "sales",
            QueueWait = TimeSpan.FromMilliseconds(27_250),
            Agent = "101@demo.local",
        };

        var line = CallRecordCsv.Write([record]).Split("\r\n")[1];

        Assert.EndsWith(",sales,27.25,101@demo.local", line);
        Assert.Equal(CallRecordCsv.Header.Split(',').Length, line.Split(',').Length);
    }
}
