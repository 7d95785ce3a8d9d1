using System.CommandLine;
using Switchboard.Pbx.Policy;

namespace Switchboard.Server.Cli;

/// <summary><c>permissions set|show ext@domain</c>: the classes of numbers an extension may dial.</summary>
internal static class PermissionCommands
{
    public static void AddTo(RootCommand root)
    {
        var permissions = new Command("permissions", "Which classes of numbers an extension may dial");
        permissions.Subcommands.Add(Set());
        permissions.Subcommands.Add(Show());
        root.Subcommands.Add(permissions);
    }

    private static Argument<string> AccountArgument() => new("account") { Description = "ext@domain (or ext, in the default domain)" };

    private static Command Set()
    {
        var account = AccountArgument();
        var allow = new Option<string>("--allow") { Description = "Comma-separated: internal, emergency, tollfree, national, international, premium", Required = true };
        var set = new Command("set", "Replace an extension's allowed classes (internal and emergency are always allowed)") { account, allow };
        set.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
        {
            if (!PolicyInput.TryParsePermissions(result.GetValue(allow), out var allowed, out var error))
            {
                return PolicyCli.Fail(error);
            }

            var (number, domain) = CommonOptions.Account(result, result.GetValue(account)!);
            await store.SetPermissionsAsync(domain, number, allowed, ct);
            Console.WriteLine($"{number}@{domain} may dial: {NumberClasses.Format(allowed)}.");
            return 0;
        }, ct));
        return set;
    }

    private static Command Show()
    {
        var account = AccountArgument();
        var show = new Command("show", "Show an extension's allowed classes and limits") { account };
        show.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
        {
            var (number, domain) = CommonOptions.Account(result, result.GetValue(account)!);
            var own = await store.GetPermissionsAsync(domain, number, ct);
            Console.WriteLine($"{number}@{domain} may dial: {NumberClasses.Format(own ?? NumberClasses.DefaultAllowed)}{(own is null ? " (default)" : "")}.");
            var limits = await store.GetLimitsAsync(domain, number, ct);
            var effective = limits ?? CallLimits.ExtensionDefault;
            Console.WriteLine($"limits: concurrent {PolicyCli.Show(effective.Concurrent)}, per minute {PolicyCli.Show(effective.PerMinute)}{(limits is null ? " (default)" : "")}.");
            return 0;
        }, ct));
        return show;
    }
}
