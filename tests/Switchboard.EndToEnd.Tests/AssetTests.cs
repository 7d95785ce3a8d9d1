namespace Switchboard.EndToEnd.Tests;

[Collection(PopupGroup.Name)]
public sealed class AssetTests(BrowserFixture fixture)
{
    /// <summary>The page's own files: served as files too (for whoever wants them), and inside the page (docs/page.md).</summary>
    private static readonly string[] Assets = ["makecall.js", "quality.js", "makecall.css", "i18n/en.json"];

    [Fact]
    public async Task A_popup_is_one_request_under_40_KB_and_a_remembered_session_calls_without_asking_for_it()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        browser.Context.Request += (_, r) =>
        {
            if (new Uri(r.Url).Authority == fixture.Host.HttpUrl.Authority) requests.Enqueue(new Uri(r.Url).AbsolutePath);
        };

        var first = await browser.OpenAsync(fixture.Host, "?destnumber=" + BrowserFixture.ReachableButIdle);
        await first.ExpectStateAsync("login");
        Assert.Equal(["/makecall.htm"], requests.ToArray());
        var size = await first.EvaluateAsync<int>("() => performance.getEntriesByType('navigation')[0].decodedBodySize");
        Assert.True(size is > 0 and < 40 * 1024, $"the page is {size} bytes");
        await first.LoginAsync(account, remember: true);
        await first.ExpectCallAttemptAsync("unavailable");
        await first.CloseAsync();
        requests.Clear();

        var second = await browser.OpenAsync(fixture.Host, "?destnumber=" + BrowserFixture.ReachableButIdle);

        await second.ExpectCallAttemptAsync("unavailable");
        Assert.DoesNotContain("login", await second.StatesAsync());
        Assert.Equal(["/makecall.htm"], requests.ToArray()); // no session request, no texts, no script or stylesheet
        Assert.True(await second.EvaluateAsync<bool>("() => performance.getEntriesByName('sb:session', 'mark').length === 1"));
    }

    [Fact]
    public async Task The_pages_files_are_still_served_and_identical_to_what_the_page_carries()
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var page = await (await browser.Opener.APIRequest.GetAsync(new Uri(fixture.Host.HttpUrl, "makecall.htm?destnumber=101").ToString())).TextAsync();
        foreach (var asset in Assets)
        {
            var response = await browser.Opener.APIRequest.GetAsync(new Uri(fixture.Host.HttpUrl, asset).ToString());
            Assert.True(response.Ok, asset + ": " + response.Status);
            var text = await response.TextAsync();
            if (!asset.StartsWith("i18n/", StringComparison.Ordinal))
            {
                Assert.Contains(text, page, StringComparison.Ordinal);
            }
        }
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
