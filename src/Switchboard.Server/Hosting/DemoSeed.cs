using Switchboard.Pbx.Directory;

using Switchboard.Server;

namespace Switchboard.Server.Hosting;

/// <summary>On a fresh data folder: the demo domain with two extensions, whose passwords are shown once.</summary>
internal static class DemoSeed
{
    public static async Task RunAsync(IDirectoryStore directory, PbxHostOptions options, CancellationToken ct)
    {
        if ((await directory.ListDomainsAsync(ct)).Count > 0)
        {
            return;
        }

        await directory.CreateDomainAsync(options.DefaultDomain, ct);
        var console = options.Console;
        console?.WriteLine($"First start: created the demo domain {options.DefaultDomain}. These passwords are shown only now:");
        foreach (var (number, name) in new[] { ("100", "Alice"), ("101", "Bob") })
        {
            var web = options.DemoWebPassword ?? NewPassword(12);
            var sip = NewPassword(16);
            await directory.CreateExtensionAsync(new NewExtension(options.DefaultDomain, number, name, web, sip), ct);
            console?.WriteLine($"  {number}@{options.DefaultDomain} ({name}): web password {web}   SIP password {sip}");
        }

        console?.WriteLine("  Change them with: switchboard extension set-password 100@" + options.DefaultDomain + " --web NEW");
    }

    public static string NewPassword(int length) => Passwords.NewRandom(length);
}
