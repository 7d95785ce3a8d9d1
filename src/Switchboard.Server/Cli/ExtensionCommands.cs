using System.CommandLine;
using Switchboard.Pbx.Directory;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Cli;

/// <summary><c>extension add|list|set-password|set-role</c>.</summary>
internal static class ExtensionCommands
{
    public static void AddTo(RootCommand root)
    {
        var extension = new Command("extension", "Create and list extensions, set their passwords and roles");
        extension.Subcommands.Add(Add());
        extension.Subcommands.Add(List());
        extension.Subcommands.Add(SetPassword());
        extension.Subcommands.Add(SetRole());
        root.Subcommands.Add(extension);
    }

    private static Command Add()
    {
        var account = new Argument<string>("account") { Description = "ext@domain (or ext, in the default domain)" };
        var name = new Option<string?>("--name") { Description = "Display name (caller ID name)" };
        var web = new Option<string?>("--web-password") { Description = "Web password for the popup and signed links (default: random, printed)" };
        var sip = new Option<string?>("--sip-password") { Description = "SIP password for phones (default: random, printed)" };
        var add = new Command("add", "Create an extension") { account, name, web, sip };
        add.SetAction(async (result, ct) =>
        {
            var (number, domain) = CommonOptions.Account(result, result.GetValue(account)!);
            var webPassword = result.GetValue(web) ?? DemoSeed.NewPassword(12);
            var sipPassword = result.GetValue(sip) ?? DemoSeed.NewPassword(16);
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            try
            {
                var created = await data.Directory(TimeProvider.System).CreateExtensionAsync(
                    new NewExtension(domain, number, result.GetValue(name) ?? number, webPassword, sipPassword), ct);
                Console.WriteLine($"Created {created.Account} ({created.DisplayName}).");
                if (result.GetValue(web) is null || result.GetValue(sip) is null)
                {
                    Console.WriteLine($"  web password {webPassword}   SIP password {sipPassword}   (shown only now)");
                }

                return 0;
            }
            catch (Exception ex) when (ex is DirectoryConflictException or ArgumentException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });
        return add;
    }

    private static Command List()
    {
        var domain = new Option<string?>("--domain") { Description = "Only this domain" };
        var list = new Command("list", "List extensions (never their passwords)") { domain };
        list.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            foreach (var e in await data.Directory(TimeProvider.System).ListExtensionsAsync(result.GetValue(domain), ct))
            {
                Console.WriteLine(e.Role == ExtensionRole.User ? $"{e.Account}\t{e.DisplayName}" : $"{e.Account}\t{e.DisplayName}\t{e.Role.ToCode()}");
            }

            return 0;
        });
        return list;
    }

    private static Command SetPassword()
    {
        var account = new Argument<string>("account") { Description = "ext@domain (or ext, in the default domain)" };
        var web = new Option<string?>("--web") { Description = "New web password" };
        var sip = new Option<string?>("--sip") { Description = "New SIP password" };
        var set = new Command("set-password", "Change an extension's web and/or SIP password") { account, web, sip };
        set.SetAction(async (result, ct) =>
        {
            var (number, domain) = CommonOptions.Account(result, result.GetValue(account)!);
            if (result.GetValue(web) is null && result.GetValue(sip) is null)
            {
                Console.Error.WriteLine("Give --web and/or --sip.");
                return 1;
            }

            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            var directory = data.Directory(TimeProvider.System);
            var found = true;
            if (result.GetValue(web) is { } w)
            {
                found &= await directory.SetWebPasswordAsync(domain, number, w, ct);
            }

            if (result.GetValue(sip) is { } s)
            {
                found &= await directory.SetSipPasswordAsync(domain, number, s, ct);
            }

            Console.WriteLine(found ? $"Password changed for {number}@{domain}." : $"There is no extension {number}@{domain}.");
            return found ? 0 : 1;
        });
        return set;
    }

    private static Command SetRole()
    {
        var account = new Argument<string>("account") { Description = "ext@domain (or ext, in the default domain)" };
        var role = new Option<string>("--role") { Description = "user; admin (administers its own domain: admin API and /admin portal); or system-admin (every domain)", Required = true };
        var set = new Command("set-role", "Change an extension's role") { account, role };
        set.SetAction(async (result, ct) =>
        {
            var (number, domain) = CommonOptions.Account(result, result.GetValue(account)!);
            if (!ExtensionRoles.TryParse(result.GetValue(role), out var chosen))
            {
                Console.Error.WriteLine($"--role: '{result.GetValue(role)}' is not user, admin or system-admin.");
                return 1;
            }

            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            var found = await data.Directory(TimeProvider.System).SetRoleAsync(domain, number, chosen, ct);
            Console.WriteLine(found ? $"{number}@{domain} is now {chosen.ToCode()}." : $"There is no extension {number}@{domain}.");
            return found ? 0 : 1;
        });
        return set;
    }
}
