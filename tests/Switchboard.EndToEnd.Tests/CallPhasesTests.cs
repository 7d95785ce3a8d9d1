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

        Assert.Subset(PagePhases.Names.ToHashSet(), page.Keys.ToHashSet());
        foreach (var name in new[] { "parsed", "session", "mic", "ws_open", "offer_sent", "answer", "ice", "dtls", "audio_in", "connected" })
        {
            Assert.True(page.ContainsKey(name), "page mark " + name + " in " + record.Phases);
        }

        InOrder(page, "parsed", "session");
        InOrder(page, "parsed", "mic");
        InOrder(page, "mic", "offer_sent");
        InOrder(page, "session", "offer_sent");
        InOrder(page, "ws_open", "offer_sent");
        InOrder(page, "offer_sent", "answer");
        InOrder(page, "answer", "ice");
        InOrder(page, "ice", "dtls");
        InOrder(page, "answer", "audio_in");
        InOrder(page, "answer", "connected");

        Assert.Equal(CallPhases.PbxNames.ToHashSet(), pbx.Keys.ToHashSet());
        Assert.Equal(0, pbx["offer"]);
        InOrder(pbx, "offer", "answer_sent");
        InOrder(pbx, "offer", "ice_check");
        InOrder(pbx, "ice_check", "dtls");
        InOrder(pbx, "dtls", "srtp_in");
        InOrder(pbx, "srtp_in", "srtp_out");
        InOrder(pbx, "answer_sent", "answered");

        // An echo call is connected for the page once media flows both ways (docs/signalling.md).
        InOrder(pbx, "srtp_out", "connected_sent");
    }

    private static Dictionary<string, double> Marks(JsonElement side) =>
        side.EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetDouble(), StringComparer.Ordinal);

    private static void InOrder(Dictionary<string, double> marks, string earlier, string later) =>
        Assert.True(marks[earlier] <= marks[later], $"{earlier} ({marks[earlier]} ms) should not come after {later} ({marks[later]} ms)");
}
