using Microsoft.Playwright;
using Switchboard.Pbx.Directory;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>What the portal's browser tests share: an admin of the fixture's domain, the login form, the screenshots for docs/.</summary>
internal static class AdminPortalSession
{
    public static async Task<TestAccount> NewAdminAsync(BrowserFixture fixture)
    {
        var admin = await fixture.NewExtensionAsync();
        await fixture.Host.Admin.SetRoleAsync(BrowserFixture.Domain, admin.Number, ExtensionRole.Admin);
        return admin;
    }

    /// <summary>A desktop window at the docs' screenshot size, in English.</summary>
    public static async Task<IBrowserContext> NewContextAsync(BrowserFixture fixture)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-US",
        });
        context.SetDefaultTimeout(8000);
        return context;
    }

    /// <summary>Opens /admin; the list fills with every Content-Security-Policy complaint the page logs (none is expected).</summary>
    public static async Task<List<string>> OpenAsync(IPage portal, BrowserFixture fixture)
    {
        var violations = new List<string>();
        portal.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) violations.Add(message.Text);
        };
        await portal.GotoAsync(new Uri(fixture.Host.HttpUrl, "admin").ToString());
        return violations;
    }

    public static async Task LogInAsync(IPage portal, TestAccount account, bool expectReady = true)
    {
        await Expect(portal.Locator("body")).ToHaveAttributeAsync("data-state", "login");
        await portal.FillAsync("#account", account.Account);
        await portal.FillAsync("#password", account.Password);
        await portal.ClickAsync("#login");
        if (expectReady)
        {
            await Expect(portal.Locator("body")).ToHaveAttributeAsync("data-state", "ready");
        }
    }

    /// <summary>docs/NAME is made by the tests that call this: set SWITCHBOARD_SCREENSHOT_DIR to the docs folder and run them.</summary>
    public static async Task ScreenshotForDocsAsync(IPage portal, string name)
    {
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_SCREENSHOT_DIR") is { Length: > 0 } folder)
        {
            await portal.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name) });
        }
    }
}
