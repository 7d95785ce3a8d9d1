namespace Switchboard.EndToEnd.Tests;

[Collection(PopupGroup.Name)]
public sealed class SignedLinkTests(BrowserFixture fixture)
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private Task<Uri> LinkAsync(TestAccount account, string destination, long time, long duration, string? lang = null) =>
        fixture.Host.Admin.MakeSignedLinkAsync(fixture.Host.HttpUrl, account.Account, destination, time, duration, lang);

    private async Task ExpectRefusedAsync(string url, string reason)
    {
        var before = await CallRecords.CountAsync(fixture.Host);
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(url);

        await popup.ExpectNoCallAsync("failed", reason);
        Assert.DoesNotContain("login", await popup.StatesAsync());
        Assert.True(await popup.Locator("#account").IsHiddenAsync(), "a bad link must not offer the login form");
        await CallRecords.ExpectUnchangedAsync(fixture.Host, before);
    }

    [Fact]
    public async Task A_valid_signed_link_skips_the_login_and_places_the_call()
    {
        var account = await fixture.NewExtensionAsync();
        var before = await CallRecords.CountAsync(fixture.Host);
        var link = await LinkAsync(account, BrowserFixture.ReachableButIdle, Now, 3600);
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        browser.Context.Request += (_, r) => requests.Enqueue(new Uri(r.Url).AbsolutePath);

        var popup = await browser.OpenAsync(link.ToString());

        await popup.ExpectCallAttemptAsync("unavailable");
        Assert.DoesNotContain("login", await popup.StatesAsync());
        await CallRecords.ExpectMoreThanAsync(fixture.Host, before);
        Assert.DoesNotContain(await browser.Context.CookiesAsync(), c => c.Name == "sb_session");

        // The browser's navigation had the link checked with the page itself: no request of the page's own asks again.
        Assert.DoesNotContain("/api/link", requests);
        Assert.DoesNotContain("/api/session", requests);
    }

    [Fact]
    public async Task An_expired_link_shows_link_expired_and_places_no_call()
    {
        var account = await fixture.NewExtensionAsync();
        var link = await LinkAsync(account, BrowserFixture.ReachableButIdle, Now - 7200, 3600);
        await ExpectRefusedAsync(link.ToString(), "link_expired");
    }

    [Fact]
    public async Task A_link_from_the_future_beyond_the_clock_skew_shows_link_not_yet_valid()
    {
        var account = await fixture.NewExtensionAsync();
        var link = await LinkAsync(account, BrowserFixture.ReachableButIdle, Now + 3600, 600);
        await ExpectRefusedAsync(link.ToString(), "link_not_yet_valid");
    }

    [Fact]
    public async Task A_link_longer_than_the_cap_shows_link_duration_too_long()
    {
        var account = await fixture.NewExtensionAsync();
        var link = await LinkAsync(account, BrowserFixture.ReachableButIdle, Now, 86_400);
        await ExpectRefusedAsync(link.ToString(), "link_duration_too_long");
    }

    [Fact]
    public async Task A_forged_hash_shows_link_invalid()
    {
        var account = await fixture.NewExtensionAsync();
        var link = (await LinkAsync(account, BrowserFixture.ReachableButIdle, Now, 3600)).ToString();
        var pass = System.Web.HttpUtility.ParseQueryString(new Uri(link).Query)["pass"]!;
        var forged = pass[..^1] + (pass[^1] == '0' ? '1' : '0');
        await ExpectRefusedAsync(link.Replace("pass=" + pass, "pass=" + forged, StringComparison.Ordinal), "link_invalid");
    }

    [Fact]
    public async Task A_link_signed_for_101_but_saying_102_is_refused()
    {
        // The hash covers the destination, so changing it breaks the signature: link_invalid (not a call
        // to 102, nor to 101).
        var account = await fixture.NewExtensionAsync();
        var link = (await LinkAsync(account, "101", Now, 3600)).ToString();
        Assert.Contains("destnumber=101", link, StringComparison.Ordinal);
        await ExpectRefusedAsync(link.Replace("destnumber=101", "destnumber=102", StringComparison.Ordinal), "link_invalid");
    }

    [Fact]
    public async Task A_link_ticket_cannot_be_used_to_call_another_number()
    {
        // A tampering client: a valid link for 101, then a call request for 102 on its ticket.
        var account = await fixture.NewExtensionAsync();
        var link = new Uri((await LinkAsync(account, "101", Now, 3600)).ToString());
        var q = System.Web.HttpUtility.ParseQueryString(link.Query);
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var tab = await browser.PbxTabAsync();
        var reason = await tab.EvaluateAsync<string>(
            """
            async p => {
              const r = await fetch('/api/link', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(p) });
              if (!r.ok) return 'link refused: ' + r.status;
              const { ticket } = await r.json();
              const pc = new RTCPeerConnection({ iceServers: [] });
              pc.addTransceiver('audio');
              await pc.setLocalDescription(await pc.createOffer());
              const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/call?ticket=' + encodeURIComponent(ticket));
              return await new Promise(resolve => {
                setTimeout(() => resolve('timeout'), 5000);
                ws.onopen = () => ws.send(JSON.stringify({ type: 'call', destnumber: '102', sdp: pc.localDescription.sdp }));
                ws.onmessage = e => { const m = JSON.parse(e.data); if (m.type === 'ended') resolve(m.reason); if (m.type === 'ping') ws.send('{"type":"pong"}'); };
                ws.onclose = () => resolve('closed');
              });
            }
            """,
            new { destnumber = q["destnumber"], user = q["user"], pass = q["pass"], time = q["time"], duration = q["duration"] });
        Assert.Equal("not_permitted", reason);
    }

    [Fact]
    public async Task A_link_with_lang_de_shows_its_messages_in_German()
    {
        var account = await fixture.NewExtensionAsync();
        var link = await LinkAsync(account, BrowserFixture.ReachableButIdle, Now - 7200, 3600, "de");
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(link.ToString());

        await popup.ExpectNoCallAsync("failed", "link_expired");
        Assert.Equal("de", await popup.EvaluateAsync<string>("() => document.documentElement.lang"));
        Assert.Contains("abgelaufen", await popup.StatusAsync(), StringComparison.Ordinal);
    }
}
