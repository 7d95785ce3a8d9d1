using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Directory;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

/// <summary>
/// The admin API tests' accounts beside the demo's (password <see cref="ServerFixture.Password"/>): 100@demo.local and
/// 100@other.example are admins of their domains, 101 of each a user, 900@demo.local a system admin.
/// </summary>
internal static class AdminAccounts
{
    /// <returns>false when they exist already (the fixture's server is shared by a class's tests).</returns>
    public static async Task<bool> SeedAsync(PbxHost host)
    {
        if (await host.Services.GetRequiredService<IDirectoryStore>().FindDomainAsync("other.example") is not null)
        {
            return false;
        }

        await host.Admin.CreateDomainAsync("other.example");
        await host.Admin.CreateExtensionAsync("other.example", "100", "Other admin", ServerFixture.Password, "sip");
        await host.Admin.CreateExtensionAsync("other.example", "101", "Other user", ServerFixture.Password, "sip");
        await host.Admin.CreateExtensionAsync("demo.local", "900", "System", ServerFixture.Password, "sip");
        await host.Admin.SetRoleAsync("demo.local", "100", ExtensionRole.Admin);
        await host.Admin.SetRoleAsync("other.example", "100", ExtensionRole.Admin);
        await host.Admin.SetRoleAsync("demo.local", "900", ExtensionRole.SystemAdmin);
        return true;
    }
}
