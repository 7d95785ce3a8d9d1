using System.Text;
using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>The page's phases report is untrusted input: only a small, well-formed report of known marks is kept.</summary>
public sealed class PagePhasesTests
{
    private static bool Parse(string json, out PagePhases? phases) => PagePhases.TryParse(Encoding.UTF8.GetBytes(json), out phases);

    [Fact]
    public void A_well_formed_report_keeps_its_marks_in_order()
    {
        Assert.True(Parse("""{"type":"phases","marks":{"parsed":12.5,"session":40,"mic":0,"connected":140.25}}""", out var phases));

        Assert.Equal(["parsed", "session", "mic", "connected"], phases!.Marks.Select(m => m.Key));
        Assert.Equal([12.5, 40, 0, 140.25], phases.Marks.Select(m => m.Value));
    }

    [Fact]
    public void An_empty_report_is_kept_as_no_marks()
    {
        Assert.True(Parse("""{"type":"phases","marks":{}}""", out var phases));
        Assert.Empty(phases!.Marks);
    }

    [Theory]
    [InlineData("""{"type":"phases","marks":{"parsed":-1}}""")]
    [InlineData("""{"type":"phases","marks":{"parsed":3600001}}""")]
    [InlineData("""{"type":"phases","marks":{"parsed":1e400}}""")]
    [InlineData("""{"type":"phases","marks":{"parsed":"12"}}""")]
    [InlineData("""{"type":"phases","marks":{"parsed":null}}""")]
    [InlineData("""{"type":"phases","marks":{"parsed":{"x":1}}}""")]
    [InlineData("""{"type":"phases","marks":{"evil":1}}""")]
    [InlineData("""{"type":"phases","marks":{"Parsed":1}}""")]
    [InlineData("""{"type":"phases","marks":{"parsed":1,"parsed":2}}""")]
    [InlineData("""{"type":"phases","marks":[1,2]}""")]
    [InlineData("""{"type":"phases"}""")]
    [InlineData("""[]""")]
    [InlineData("""{"type":"phases","marks":{"parsed":1""")]
    [InlineData("")]
    public void A_malformed_report_is_dropped_whole(string json)
    {
        Assert.False(Parse(json, out var phases));
        Assert.Null(phases);
    }

    [Fact]
    public void A_mark_name_that_is_not_utf8_is_dropped_not_thrown()
    {
        // Found by the callsocket fuzz target (fuzz/regressions/callsocket/phases-mark-name-invalid-utf8):
        // JsonDocument let the byte 0x8B through and reading the name threw InvalidOperationException.
        var json = Encoding.UTF8.GetBytes("""{"type":"phases","marks":{"n?":0}}""");
        json[Array.IndexOf(json, (byte)'?')] = 0x8B;

        Assert.False(PagePhases.TryParse(json, out var phases));
        Assert.Null(phases);
    }

    [Fact]
    public void A_report_over_the_size_bound_is_dropped_before_it_is_read()
    {
        var padded = "{\"type\":\"phases\",\"pad\":\"" + new string('x', PagePhases.MaxBytes) + "\",\"marks\":{\"parsed\":1}}";
        Assert.False(Parse(padded, out _));
    }

    [Fact]
    public void Every_known_mark_once_fits_the_bound()
    {
        var marks = string.Join(',', PagePhases.Names.Select((n, i) => $"\"{n}\":{i * 1234.5}"));
        Assert.True(Parse("""{"type":"phases","marks":{""" + marks + "}}", out var phases));
        Assert.Equal(PagePhases.Names, phases!.Marks.Select(m => m.Key));
    }

    [Fact]
    public void Call_phases_keep_each_marks_first_time_and_the_pages_first_report()
    {
        var call = new CallPhases();
        Assert.Null(call.ToJson());
        call.Mark("offer", TimeSpan.Zero);
        call.Mark("answer_sent", TimeSpan.FromMilliseconds(4.24));
        call.Mark("answer_sent", TimeSpan.FromMilliseconds(9));
        Assert.True(Parse("""{"marks":{"parsed":12.5}}""", out var first));
        Assert.True(Parse("""{"marks":{"parsed":99}}""", out var second));
        call.SetPage(first!);
        call.SetPage(second!);

        Assert.Equal("""{"pbx":{"offer":0,"answer_sent":4.2},"page":{"parsed":12.5}}""", call.ToJson());
    }
}
