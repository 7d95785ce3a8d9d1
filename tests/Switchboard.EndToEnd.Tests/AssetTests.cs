using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Tests;

[Collection(PopupGroup.Name)]
public sealed partial class AssetTests(BrowserFixture fixture)
{
    private static readonly string[] Assets = ["makecall.htm", "makecall.js", "quality.js", "makecall.css"];

    /// <summary>A page load fetches one of these, its language's (makecall.js, <c>loadTable</c>): the larger one counts.</summary>
    private static readonly string[] Languages = ["i18n/en.json", "i18n/de.json"];

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style", RegexOptions.IgnoreCase)]
    private static partial Regex InlineCode();

    [Fact]
    public async Task The_page_assets_are_under_40_KB_and_have_no_inline_script_or_style()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        long total = 0;
        foreach (var asset in Assets)
        {
            var response = await browser.Opener.APIRequest.GetAsync(new Uri(fixture.Host.HttpUrl, asset).ToString());
            Assert.True(response.Ok, asset + ": " + response.Status);
            total += (await response.BodyAsync()).Length;
        }

        long language = 0;
        foreach (var file in Languages)
        {
            var response = await browser.Opener.APIRequest.GetAsync(new Uri(fixture.Host.HttpUrl, file).ToString());
            Assert.True(response.Ok, file + ": " + response.Status);
            language = Math.Max(language, (await response.BodyAsync()).Length);
        }

        total += language;
        Assert.True(total < 40 * 1024, $"one page load's assets are {total} bytes");

        var html = await (await browser.Opener.APIRequest.GetAsync(new Uri(fixture.Host.HttpUrl, "makecall.htm").ToString())).TextAsync();
        Assert.DoesNotMatch(InlineCode(), html);
    }

    [Fact]
    public async Task The_page_runs_under_its_content_security_policy_without_violations()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var errors = new List<string>();
        browser.Context.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101");
        await popup.ExpectStateAsync("login");

        Assert.Empty(await popup.EvaluateAsync<string[]>("() => window.__csp"));
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
