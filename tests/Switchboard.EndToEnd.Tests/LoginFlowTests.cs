using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

[Collection(PopupGroup.Name)]
public sealed class LoginFlowTests(BrowserFixture fixture)
{
    private const string Dial101 = "?destnumber=" + BrowserFixture.ReachableButIdle;

    [Fact]
    public async Task The_first_click_shows_the_login_form()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, Dial101);

        await popup.ExpectStateAsync("login");
        foreach (var id in new[] { "#account", "#password", "#lang", "#remember", "#login", "#status" })
        {
            await Expect(popup.Locator(id)).ToBeVisibleAsync();
        }
        await Expect(popup.Locator("#hangup")).ToBeHiddenAsync();
        Assert.NotEmpty(await popup.StatusAsync());
        Assert.Equal("en", await popup.EvaluateAsync<string>("() => document.documentElement.lang"));
    }

    [Fact]
    public async Task Login_with_remember_places_the_call_at_once_and_the_PBX_records_it()
    {
        var account = await fixture.NewExtensionAsync();
        var before = await CallRecords.CountAsync(fixture.Host);
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, Dial101);

        await popup.LoginAsync(account, remember: true);

        await popup.ExpectCallAttemptAsync("unavailable");
        await CallRecords.ExpectMoreThanAsync(fixture.Host, before);
        var cookies = await browser.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "sb_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(Microsoft.Playwright.SameSiteAttribute.Lax, session.SameSite);
    }

    [Fact]
    public async Task A_second_popup_in_the_same_browser_skips_the_login_after_remember()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var first = await browser.OpenAsync(fixture.Host, Dial101);
        await first.LoginAsync(account, remember: true);
        await first.ExpectCallAttemptAsync();
        var before = await CallRecords.CountAsync(fixture.Host);

        var second = await browser.OpenAsync(fixture.Host, Dial101);

        await second.ExpectCallAttemptAsync("unavailable");
        Assert.DoesNotContain("login", await second.StatesAsync());
        await CallRecords.ExpectMoreThanAsync(fixture.Host, before);
    }

    [Fact]
    public async Task Calling_an_unknown_number_fails_with_not_found()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=987654");

        await popup.LoginAsync(account, remember: false);

        await popup.ExpectCallAttemptAsync("not_found");
    }

    [Fact]
    public async Task After_logout_the_next_popup_shows_the_login_form_again()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        // A call that stays up (the echo service), so the call view with its Logout button is there.
        var first = await browser.OpenAsync(fixture.Host, "?destnumber=" + Uri.EscapeDataString(new Pbx.Services.ServiceOptions().EchoNumber));
        await first.LoginAsync(account, remember: true);
        await first.ExpectStateAsync("connected");

        await first.ClickAsync("#logout");

        await first.ExpectStateAsync("login");
        Assert.DoesNotContain(await browser.Context.CookiesAsync(), c => c.Name == "sb_session");
        var second = await browser.OpenAsync(fixture.Host, Dial101);
        await second.ExpectStateAsync("login");
        // Records are written in batches: the first call's comes within the writer's interval, not at once.
        await CallRecords.WaitForAsync(fixture.Host, r => r.From == account.Account && r.Reason == "hangup" && r.EndedBy == "caller");
    }

    [Fact]
    public async Task Logout_revokes_the_session_on_the_server_not_only_the_cookie()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var first = await browser.OpenAsync(fixture.Host, Dial101);
        await first.LoginAsync(account, remember: true);
        await first.ExpectCallAttemptAsync();
        var saved = (await browser.Context.CookiesAsync()).Single(c => c.Name == "sb_session");

        var status = await first.EvaluateAsync<int>("() => fetch('/api/logout', { method: 'POST' }).then(r => r.status)");
        Assert.Equal(200, status);

        // A copy of the old cookie must not be accepted any more.
        await browser.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie
        {
            Name = saved.Name, Value = saved.Value, Domain = saved.Domain, Path = saved.Path,
            HttpOnly = saved.HttpOnly, Secure = saved.Secure, SameSite = saved.SameSite,
        }]);
        var second = await browser.OpenAsync(fixture.Host, Dial101);
        await second.ExpectStateAsync("login");
    }

    [Fact]
    public async Task Login_without_remember_asks_again_in_the_next_popup()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var first = await browser.OpenAsync(fixture.Host, Dial101);
        await first.LoginAsync(account, remember: false);
        await first.ExpectCallAttemptAsync();
        Assert.DoesNotContain(await browser.Context.CookiesAsync(), c => c.Name == "sb_session");

        var second = await browser.OpenAsync(fixture.Host, Dial101);

        await second.ExpectStateAsync("login");
    }

    [Fact]
    public async Task A_wrong_password_keeps_the_form_with_a_message_and_places_no_call()
    {
        var account = await fixture.NewExtensionAsync();
        var before = await CallRecords.CountAsync(fixture.Host);
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, Dial101);

        await popup.LoginAsync(account, remember: true, password: "wrong");

        await popup.ExpectNoCallAsync("login", "bad_credentials");
        await Expect(popup.Locator("#login")).ToBeEnabledAsync();
        await CallRecords.ExpectUnchangedAsync(fixture.Host, before);
    }

    [Fact]
    public async Task A_missing_destnumber_shows_no_destination()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "");

        await popup.ExpectNoCallAsync("failed", "no_destination");
        await Expect(popup.Locator("#account")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task An_invalid_destnumber_shows_bad_destination()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=12ab");

        await popup.ExpectNoCallAsync("failed", "bad_destination");
    }
}
