using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Tests;

/// <summary>The page is usable in the seed's 230 x 300 popup: every control lies inside the viewport in every view.</summary>
[Collection(PopupGroup.Name)]
public sealed class LayoutTests(BrowserFixture fixture)
{
    internal static readonly string[] LoginControls = ["#status", "#account", "#password", "#lang", "#remember", "#login"];

    private static readonly string[] CallControls =
    [
        "#status", "#hangup", "#logout",
        .. "123456789*0#".Select(d => $"button[data-digit=\"{d}\"]"),
    ];

    [Theory]
    [InlineData(false, "en")]
    [InlineData(false, "de")]
    [InlineData(true, "en")]
    [InlineData(true, "de")]
    public async Task Every_control_of_the_login_view_lies_inside_a_230_by_300_popup(bool fixedViewport, string lang)
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host, fixedViewport: fixedViewport);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101&lang=" + lang);
        await popup.ExpectStateAsync("login");

        await ExpectInsideAsync(popup, LoginControls);
        await popup.ScreenshotAsync(new() { Path = $"/tmp/makecall-login-{lang}{(fixedViewport ? "-fixed" : "")}.png" });

        // A failed login shows a (longer) message: still inside.
        await popup.LoginAsync(new TestAccount("x", "999@" + BrowserFixture.Domain, "nope"), remember: false);
        await popup.ExpectStateAsync("login", "bad_credentials");
        await ExpectInsideAsync(popup, LoginControls);
    }

    [Theory]
    [InlineData(false, "en")]
    [InlineData(false, "de")]
    [InlineData(true, "en")]
    [InlineData(true, "de")]
    public async Task Every_control_of_the_call_view_lies_inside_a_230_by_300_popup(bool fixedViewport, string lang)
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host, fixedViewport: fixedViewport);
        var pbx = await FakePbx.InstallAsync(browser.Context);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101&lang=" + lang);
        await popup.LoginAsync(account, remember: false);

        await pbx.NextAsync("call");
        await popup.ExpectStateAsync("connecting");
        await ExpectInsideAsync(popup, CallControls);
        await pbx.SendAsync(new { type = "ringing" });
        await popup.ExpectStateAsync("ringing");
        await ExpectInsideAsync(popup, CallControls);
        await pbx.SendAsync(new { type = "connected" });
        await popup.ExpectStateAsync("connected");
        await ExpectInsideAsync(popup, CallControls);
        await popup.Mouse.MoveAsync(0, 0); // no hover left over from the login click
        await popup.ScreenshotAsync(new() { Path = $"/tmp/makecall-call-{lang}{(fixedViewport ? "-fixed" : "")}.png" });

        await pbx.SendAsync(new { type = "ended", reason = "no_answer" });
        await popup.ExpectStateAsync("failed", "no_answer");
        await ExpectInsideAsync(popup, ["#status"]);
        await popup.ScreenshotAsync(new() { Path = $"/tmp/makecall-failed-{lang}{(fixedViewport ? "-fixed" : "")}.png" });
        Assert.Empty(await popup.EvaluateAsync<string[]>("() => window.__csp"));
    }

    internal static async Task ExpectInsideAsync(IPage popup, IEnumerable<string> selectors)
    {
        // window.open's 'height=300' gives headless Chromium 156 an innerHeight of 299: allow 2 px, and
        // measure against the viewport the page really has.
        var size = await popup.EvaluateAsync<int[]>("() => [window.innerWidth, window.innerHeight, document.documentElement.scrollWidth, document.documentElement.scrollHeight]");
        var (width, height) = (size[0], size[1]);
        Assert.InRange(width, PopupBrowser.Width - 2, PopupBrowser.Width);
        Assert.InRange(height, PopupBrowser.Height - 2, PopupBrowser.Height);
        Assert.True(size[2] <= width && size[3] <= height, $"the page scrolls: {size[2]} x {size[3]} in {width} x {height}");
        foreach (var selector in selectors)
        {
            var box = await popup.Locator(selector).BoundingBoxAsync();
            Assert.True(box is not null, selector + " is not visible");
            Assert.True(
                box.X >= 0 && box.Y >= 0 && box.X + box.Width <= width && box.Y + box.Height <= height,
                $"{selector} at {box.X},{box.Y} {box.Width}x{box.Height} leaves the {width}x{height} viewport");
            Assert.True(box.Width >= 12 && box.Height >= 12, $"{selector} is too small to use: {box.Width}x{box.Height}");
        }
    }
}
