using System.Text.Json;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Services;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// A real Chromium echo call leaves its set-up marks, the page's and the PBX's, in its record (docs/call-records.md,
/// <c>phases</c>), in an order that can happen. No timing is asserted: only which mark cannot come before which.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class CallPhasesTests(BrowserFixture fixture)
{
    /// <summary>What cannot happen before what on the page (the session answer, the microphone and the socket race).</summary>
    private static readonly (string, string)[] PageOrder =
    [
        ("parsed", "session"), ("parsed", "mic"), ("mic", "offer_sent"), ("session", "offer_sent"), ("ws_open", "offer_sent"),
        ("offer_sent", "answer"), ("answer", "ice"), ("ice", "dtls"), ("answer", "audio_in"), ("answer", "connected"),
    ];

    /// <summary>
    /// The same on the PBX; the last pair is the definition of connected for an echo call from the page: media both
    /// ways (docs/signalling.md).
    /// </summary>
    private static readonly (string, string)[] PbxOrder =
    [
        ("offer", "answer_sent"), ("offer", "ice_check"), ("ice_check", "dtls"), ("dtls", "srtp_in"), ("srtp_in", "srtp_out"),
        ("answer_sent", "answered"), ("srtp_out", "connected_sent"),
    ];

    [Fact]
    public async Task An_echo_calls_record_carries_the_pages_and_the_PBXs_marks_in_a_plausible_order()
    {
        var echo = new ServiceOptions().EchoNumber;
        var account = await fixture.NewExtensionAsync(fixture.Host);
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host, stubClose: true);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=" + Uri.EscapeDataString(echo));
        await popup.LoginAsync(account, remember: false);
        await popup.ExpectStateAsync("connected");
        await popup.WaitForInboundAudioAsync(packets: 10);

        // The page's own performance marks are there for anyone profiling it.
        Assert.True(await popup.EvaluateAsync<bool>("() => performance.getEntriesByName('sb:connected', 'mark').length === 1"));

        await popup.ClickAsync("#hangup");
        await popup.ExpectStateAsync("ended", "hangup");
        var record = await CallRecords.WaitForAsync(fixture.Host, r => r.From == account.Account && r.Destination == echo && r.Reason == "hangup");

        Assert.NotNull(record.Phases);
        using var doc = JsonDocument.Parse(record.Phases!);
        var page = Marks(doc.RootElement.GetProperty("page"));
        var pbx = Marks(doc.RootElement.GetProperty("pbx"));

        Assert.True(PagePhases.Names.ToHashSet().SetEquals(page.Keys), "every page mark, and only those: " + record.Phases);
        Assert.Equal(CallPhases.PbxNames.ToHashSet(), pbx.Keys.ToHashSet());
        Assert.Equal(0, pbx["offer"]);
        foreach (var (earlier, later) in PageOrder)
        {
            InOrder(page, earlier, later);
        }

        foreach (var (earlier, later) in PbxOrder)
        {
            InOrder(pbx, earlier, later);
        }
    }

    private static Dictionary<string, double> Marks(JsonElement side) =>
        side.EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetDouble(), StringComparer.Ordinal);

    private static void InOrder(Dictionary<string, double> marks, string earlier, string later) =>
        Assert.True(marks[earlier] <= marks[later], $"{earlier} ({marks[earlier]} ms) should not come after {later} ({marks[later]} ms)");
}
