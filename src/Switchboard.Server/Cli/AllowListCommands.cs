using System.CommandLine;
using Switchboard.Pbx.Policy;

namespace Switchboard.Server.Cli;

/// <summary><c>allowlist add|list|remove</c>: the external numbers the popup and signed links may dial.</summary>
internal static class AllowListCommands
{
    public static void AddTo(RootCommand root)
    {
        var allowlist = new Command("allowlist", "External numbers the click-to-call popup and signed links may dial (SIP phones are not limited so)");
        allowlist.Subcommands.Add(Change("add", "Allow a pattern", async (store, domain, pattern, ct) =>
        {
            if (!DialPattern.TryParse(pattern, out var parsed, out var error))
            {
                return PolicyCli.Fail("--pattern: " + error);
            }

            Console.WriteLine(await store.AddAllowListAsync(domain, parsed, ct) ? $"Allowed {pattern} in {domain}." : $"{pattern} was allowed already.");
            return 0;
        }));
        allowlist.Subcommands.Add(Change("remove", "Remove a pattern", async (store, domain, pattern, ct) =>
        {
            if (!await store.RemoveAllowListAsync(domain, pattern, ct))
            {
                return PolicyCli.Fail($"--pattern: '{pattern}' is not on the list of {domain}.");
            }

            Console.WriteLine($"Removed {pattern} from {domain}.");
            return 0;
        }));

        var domain = PolicyCli.Domain();
        var list = new Command("list", "List the patterns") { domain };
        list.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
        {
            var (d, _) = PolicyCli.Owner(result, result.GetValue(domain), null);
            foreach (var pattern in await store.ListAllowListAsync(d, ct))
            {
                Console.WriteLine(pattern);
            }

            return 0;
        }, ct));
        allowlist.Subcommands.Add(list);
        root.Subcommands.Add(allowlist);
    }

    private static Command Change(string name, string description, Func<Storage.SqlPolicyStore, string, string, CancellationToken, Task<int>> change)
    {
        var domain = PolicyCli.Domain();
        var pattern = new Option<string>("--pattern") { Description = "A dial pattern, e.g. 0049. or +49.", Required = true };
        var command = new Command(name, description) { domain, pattern };
        command.SetAction((result, ct) => PolicyCli.RunAsync(result, store =>
            change(store, PolicyCli.Owner(result, result.GetValue(domain), null).Domain, result.GetValue(pattern)!, ct), ct));
        return command;
    }
}
