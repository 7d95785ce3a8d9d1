using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Tests;

[Collection(PopupGroup.Name)]
public sealed partial class LockoutTests(BrowserFixture fixture)
{
    private const int AccountFailureLimit = 5; // PbxHostOptions.Security's default

    [GeneratedRegex("[0-9]")]
    private static partial Regex Digit();

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_out_even_for_the_right_password()
    {
        var account = await fixture.NewExtensionAsync();
        var before = await CallRecords.CountAsync(fixture.Host);
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=101");

        for (var i = 1; i <= AccountFailureLimit; i++)
        {
            await popup.LoginAsync(account, remember: false, password: "wrong-" + i);
            await popup.Locator("#login:enabled").WaitForAsync();
            var reason = await popup.EvaluateAsync<string>("() => document.body.dataset.reason");
            // Below the limit a wrong password is just wrong; the failure that reaches it may already say locked_out.
            if (i < AccountFailureLimit)
            {
                Assert.Equal("bad_credentials", reason);
            }
            else
            {
                Assert.True(reason is "bad_credentials" or "locked_out", reason);
            }
        }
        await popup.LoginAsync(account, remember: false);
        await popup.Locator("#login:enabled").WaitForAsync(); // the answer is in (the reason may already say locked_out)

        await popup.ExpectNoCallAsync("login", "locked_out");
        Assert.Matches(Digit(), await popup.StatusAsync()); // the minutes to wait
        await CallRecords.ExpectUnchangedAsync(fixture.Host, before);
    }

    [Fact]
    public async Task Too_many_failures_from_one_address_lock_out_every_account_from_it()
    {
        var dir = BrowserFixture.NewDataDirectory();
        try
        {
            await using var host = await BrowserFixture.StartHostAsync(dir, addressFailureLimit: 3, accountFailureLimit: 100);
            var victim = await fixture.NewExtensionAsync(host);
            await using var browser = await PopupBrowser.CreateAsync(fixture, host);
            var popup = await browser.OpenAsync(host, "?destnumber=101&lang=de");
            for (var i = 0; i < 3; i++)
            {
                var stranger = new TestAccount("x", $"{300 + i}@{BrowserFixture.Domain}", "nope");
                await popup.LoginAsync(stranger, remember: false);
                await popup.Locator("#login:enabled").WaitForAsync();
                Assert.Equal("login", await popup.EvaluateAsync<string>("() => document.body.dataset.state"));
            }

            await popup.LoginAsync(victim, remember: false);
            await popup.Locator("#login:enabled").WaitForAsync();

            await popup.ExpectNoCallAsync("login", "locked_out");
            Assert.Empty(await host.Admin.ListCallRecordsAsync());
            // The longest message there is (German lockout) still leaves the whole form inside the popup.
            Assert.Contains("Fehlversuche", await popup.StatusAsync(), StringComparison.Ordinal);
            await LayoutTests.ExpectInsideAsync(popup, LayoutTests.LoginControls);
            await popup.ScreenshotAsync(new() { Path = "/tmp/makecall-locked-de.png" });
        }
        finally
        {
            BrowserFixture.TryDelete(dir);
        }
    }
}
