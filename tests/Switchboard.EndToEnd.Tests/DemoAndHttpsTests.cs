using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

[Collection(PopupGroup.Name)]
public sealed class DemoAndHttpsTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Clicking_a_name_on_the_demo_page_opens_the_popup_at_230_by_300_on_the_login_form()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var demo = await browser.PbxTabAsync();

        var popup = await demo.RunAndWaitForPopupAsync(() => demo.Locator("div[onclick]").First.ClickAsync());

        await Expect(popup.Locator("body")).ToHaveAttributeAsync("data-state", "login");
        Assert.Contains("destnumber=", popup.Url, StringComparison.Ordinal);
        var size = await popup.EvaluateAsync<int[]>("() => [innerWidth, innerHeight]");
        Assert.InRange(size[0], PopupBrowser.Width - 2, PopupBrowser.Width);
        Assert.InRange(size[1], PopupBrowser.Height - 2, PopupBrowser.Height);
    }

    [Fact]
    public async Task Over_HTTPS_the_remembered_cookie_is_Secure_and_the_call_goes_over_wss()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host, acceptSelfSignedTls: true);
        var sockets = new List<string>();
        browser.Context.Page += (_, page) => page.WebSocket += (_, ws) => sockets.Add(ws.Url);
        var url = PopupBrowser.PageUrl(fixture.Host, "?destnumber=" + BrowserFixture.ReachableButIdle, https: true);

        var first = await browser.OpenAsync(url);
        await first.LoginAsync(account, remember: true);
        await first.ExpectCallAttemptAsync("unavailable");

        var cookie = Assert.Single(await browser.Context.CookiesAsync(), c => c.Name == "sb_session");
        Assert.True(cookie.Secure);
        Assert.True(cookie.HttpOnly);
        Assert.Contains(sockets, s => s.StartsWith("wss://", StringComparison.Ordinal));

        var second = await browser.OpenAsync(url);
        await second.ExpectCallAttemptAsync("unavailable");
        Assert.DoesNotContain("login", await second.StatesAsync());
    }
}
