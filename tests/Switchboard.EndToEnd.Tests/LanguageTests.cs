using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

[Collection(PopupGroup.Name)]
public sealed class LanguageTests(BrowserFixture fixture)
{
    /// <summary>Every reason and error code of docs/signalling.md.</summary>
    public static readonly string[] ReasonCodes =
    [
        "hangup", "remote_hangup", "not_found", "not_permitted", "busy", "no_answer", "declined", "unavailable",
        "bad_offer", "unauthorized", "error", "shutdown", "admin_hangup", "no_destination", "bad_destination", "microphone", "network",
        "bad_request", "bad_credentials", "locked_out", "link_invalid", "link_expired", "link_not_yet_valid",
        "link_duration_too_long",
    ];

    [Fact]
    public async Task Lang_de_shows_the_popup_in_German()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101&lang=de");

        await popup.ExpectStateAsync("login");
        await Expect(popup.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(popup.Locator("#login")).ToHaveTextAsync("Anmelden");
        await Expect(popup.Locator("label[for=password]")).ToHaveTextAsync("Passwort");
        await Expect(popup.Locator("#remember + span")).ToHaveTextAsync("Anmeldeinformationen merken");
        await Expect(popup.Locator("#lang")).ToHaveValueAsync("de");
    }

    [Fact]
    public async Task Every_text_of_the_page_comes_from_the_German_table()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var de = await TableAsync(browser, fixture.Host.HttpUrl, "de");
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101&lang=de");
        await popup.ExpectStateAsync("login");

        var texts = await popup.EvaluateAsync<string[][]>(
            "() => [...document.querySelectorAll('[data-i18n]')].map(e => [e.dataset.i18n, e.textContent])" +
            ".concat([...document.querySelectorAll('[data-i18n-placeholder]')].map(e => [e.dataset.i18nPlaceholder, e.placeholder]))");
        Assert.NotEmpty(texts);
        foreach (var pair in texts)
        {
            Assert.True(de.ContainsKey(pair[0]), "de.json lacks " + pair[0]);
            Assert.Equal(de[pair[0]], pair[1]);
        }
        Assert.Equal(de["login_prompt"].Replace("{dest}", "101", StringComparison.Ordinal), await popup.StatusAsync());
    }

    [Fact]
    public async Task The_browser_language_is_used_when_the_link_has_none()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host, locale: "de-DE");
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101");

        await popup.ExpectStateAsync("login");
        await Expect(popup.Locator("html")).ToHaveAttributeAsync("lang", "de");
    }

    [Fact]
    public async Task Choosing_a_language_in_the_form_switches_the_texts_at_once()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101&lang=en");
        await popup.ExpectStateAsync("login");
        await Expect(popup.Locator("#login")).ToHaveTextAsync("Login");

        await popup.SelectOptionAsync("#lang", "de");

        await Expect(popup.Locator("#login")).ToHaveTextAsync("Anmelden");
        await Expect(popup.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(popup.Locator("#hangup")).ToHaveTextAsync("Auflegen");
    }

    [Fact]
    public async Task Both_translation_tables_have_the_same_keys_and_cover_every_reason_code()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var en = await TableAsync(browser, fixture.Host.HttpUrl, "en");
        var de = await TableAsync(browser, fixture.Host.HttpUrl, "de");

        Assert.Equal("English", en["_name"]);
        Assert.Equal("Deutsch", de["_name"]);
        Assert.Equal(en.Keys.Order(StringComparer.Ordinal), de.Keys.Order(StringComparer.Ordinal));
        foreach (var code in ReasonCodes)
        {
            Assert.True(en.ContainsKey("reason." + code), "en.json lacks reason." + code);
        }
        Assert.All(de.Values, v => Assert.False(string.IsNullOrWhiteSpace(v)));
        Assert.Equal("Besetzt", de["reason.busy"]);
        Assert.Equal("Keine Antwort", de["reason.no_answer"]);
        Assert.Equal("Anruf beendet", de["reason.hangup"]);
        Assert.Equal("Abmelden", de["logout"]);
        Assert.Equal("Auflegen", de["hangup"]);
    }

    private static async Task<Dictionary<string, string>> TableAsync(PopupBrowser browser, Uri server, string lang)
    {
        var response = await browser.Opener.APIRequest.GetAsync(new Uri(server, "i18n/" + lang + ".json").ToString());
        Assert.True(response.Ok, $"/i18n/{lang}.json: {response.Status}");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(await response.TextAsync())!;
    }
}
