using System.CommandLine;
using Switchboard.Pbx.Policy;

namespace Switchboard.Server.Cli;

/// <summary><c>limits set</c>: toll-fraud limits for a domain or an extension.</summary>
internal static class LimitCommands
{
    public static void AddTo(RootCommand root)
    {
        var domain = PolicyCli.Domain("The domain whose total is limited (default: the default domain)");
        var extension = new Option<string?>("--extension") { Description = "An extension (ext or ext@domain) instead of the whole domain" };
        var concurrent = new Option<string?>("--concurrent") { Description = "Trunk calls at the same time, or 'none'" };
        var perMinute = new Option<string?>("--per-minute") { Description = "Trunk calls started in any minute, or 'none'" };
        var set = new Command("set", "Set limits; an option left out keeps its value") { domain, extension, concurrent, perMinute };
        set.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
        {
            var (d, e) = PolicyCli.Owner(result, result.GetValue(domain), result.GetValue(extension));
            var current = await store.GetLimitsAsync(d, e, ct) ?? (e is null ? CallLimits.None : CallLimits.ExtensionDefault);
            var next = current;
            if (result.GetValue(concurrent) is { } c)
            {
                if (!PolicyInput.TryParseLimit("--concurrent", c, out var value, out var error))
                {
                    return PolicyCli.Fail(error);
                }

                next = next with { Concurrent = value };
            }

            if (result.GetValue(perMinute) is { } m)
            {
                if (!PolicyInput.TryParseLimit("--per-minute", m, out var value, out var error))
                {
                    return PolicyCli.Fail(error);
                }

                next = next with { PerMinute = value };
            }

            await store.SetLimitsAsync(d, e, next, ct);
            Console.WriteLine($"{(e is null ? d : e + "@" + d)}: concurrent {PolicyCli.Show(next.Concurrent)}, per minute {PolicyCli.Show(next.PerMinute)}.");
            return 0;
        }, ct));

        var limits = new Command("limits", "Toll-fraud limits on trunk calls") { set };
        root.Subcommands.Add(limits);
    }
}
