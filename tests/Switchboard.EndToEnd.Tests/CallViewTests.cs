using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The page's side of the call protocol, in the cases the PBX cannot be made to produce on demand
/// (ringing, busy, a lost socket, a ping, a reason the page does not know): these tests answer the
/// page's call WebSocket themselves (<see cref="FakePbx"/>); login and tickets are real. Real calls
/// through the PBX are in <see cref="MediaCallTests"/>.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class CallViewTests(BrowserFixture fixture)
{
    private async Task<(PopupBrowser Browser, FakePbx Pbx, Microsoft.Playwright.IPage Popup)> LoggedInAsync(bool stubClose = true)
    {
        var account = await fixture.NewExtensionAsync();
        var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host, stubClose: stubClose);
        var pbx = await FakePbx.InstallAsync(browser.Context);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101");
        await popup.LoginAsync(account, remember: false);
        return (browser, pbx, popup);
    }

    [Fact]
    public async Task The_call_request_carries_the_destination_the_offer_and_the_ticket()
    {
        var (browser, pbx, popup) = await LoggedInAsync();
        await using var _ = browser;

        var call = await pbx.NextAsync("call");

        Assert.Equal("101", (string?)call["destnumber"]);
        Assert.StartsWith("v=0", (string?)call["sdp"], StringComparison.Ordinal);
        Assert.Contains("m=audio", (string?)call["sdp"], StringComparison.Ordinal);
        Assert.Contains("ticket=", pbx.OpenedUrl, StringComparison.Ordinal);
        await popup.ExpectStateAsync("connecting");
    }

    [Fact]
    public async Task Hang_up_tells_the_PBX_shows_call_ended_and_closes_the_popup()
    {
        var (browser, pbx, popup) = await LoggedInAsync();
        await using var _ = browser;
        await pbx.ConnectWithoutMediaAsync(popup);

        await popup.ClickAsync("#hangup");

        await pbx.NextAsync("hangup");
        await popup.ExpectStateAsync("ended", "hangup");
        await Expect(popup.Locator("#status")).ToHaveTextAsync("Call ended");
        await popup.WaitForFunctionAsync("() => window.__closeRequests > 0", null, new() { Timeout = 4000 });
    }

    [Fact]
    public async Task The_popup_closes_itself_after_the_far_side_hangs_up()
    {
        var (browser, pbx, popup) = await LoggedInAsync(stubClose: false);
        await using var _ = browser;
        await pbx.ConnectWithoutMediaAsync(popup);
        var closed = new TaskCompletionSource();
        popup.Close += (_, _) => closed.TrySetResult();

        await pbx.SendAsync(new { type = "ended", reason = "remote_hangup" });

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_failed_call_shows_the_reason_and_closes_at_a_click_on_it()
    {
        var (browser, pbx, popup) = await LoggedInAsync(stubClose: false);
        await using var _ = browser;
        await pbx.NextAsync("call");
        await pbx.SendAsync(new { type = "ended", reason = "busy" });
        await popup.ExpectStateAsync("failed", "busy");
        await Expect(popup.Locator("#status")).ToHaveTextAsync("Busy");
        var closed = new TaskCompletionSource();
        popup.Close += (_, _) => closed.TrySetResult();

        var box = (await popup.Locator("#status").BoundingBoxAsync())!;

        try
        {
            await popup.Mouse.ClickAsync(box.X + (box.Width / 2), box.Y + (box.Height / 2));
        }
        catch (Microsoft.Playwright.PlaywrightException) when (popup.IsClosed)
        {
            // The window closed before the click's own round trip finished: that is the point.
        }

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task The_page_answers_the_PBX_ping_with_pong()
    {
        var (browser, pbx, popup) = await LoggedInAsync();
        await using var _ = browser;
        await pbx.ConnectWithoutMediaAsync(popup);

        await pbx.SendAsync(new { type = "ping" });

        await pbx.NextAsync("pong");
        await popup.ExpectStateAsync("connected");
    }

    [Fact]
    public async Task A_socket_lost_during_the_call_shows_network()
    {
        var (browser, pbx, popup) = await LoggedInAsync();
        await using var _ = browser;
        await pbx.ConnectWithoutMediaAsync(popup);

        await pbx.CloseAsync();

        await popup.ExpectStateAsync("failed", "network");
        Assert.NotEmpty(await popup.StatusAsync());
    }

    [Fact]
    public async Task Closing_the_popup_during_a_call_sends_hangup()
    {
        var (browser, pbx, popup) = await LoggedInAsync();
        await using var _ = browser;
        await pbx.ConnectWithoutMediaAsync(popup);

        await popup.CloseAsync(new() { RunBeforeUnload = true });

        await pbx.NextAsync("hangup");
    }

    [Fact]
    public async Task A_refused_microphone_fails_with_microphone_and_opens_no_call_socket()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        await browser.Context.AddInitScriptAsync(
            "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));");
        var sockets = 0;
        browser.Context.Page += (_, page) => page.WebSocket += (_, _) => Interlocked.Increment(ref sockets);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101");

        await popup.LoginAsync(account, remember: false);

        await popup.ExpectStateAsync("failed", "microphone");
        await Expect(popup.Locator("#status")).ToContainTextAsync("microphone");
        Assert.Equal(0, sockets);
    }

    [Fact]
    public async Task An_end_reason_the_page_does_not_know_shows_the_generic_error_text()
    {
        var (browser, pbx, popup) = await LoggedInAsync();
        await using var _ = browser;
        await pbx.NextAsync("call");

        await pbx.SendAsync(new { type = "ended", reason = "some_future_code" });

        await popup.ExpectStateAsync("failed", "some_future_code");
        await Expect(popup.Locator("#status")).ToContainTextAsync("Internal error");
    }
}
