using System.CommandLine;
using Switchboard.Pbx.Policy;

namespace Switchboard.Server.Cli;

/// <summary><c>dialplan add|list|remove</c>: the ordered rules that send external numbers to trunks (docs/dialplan.md).</summary>
internal static class DialPlanCommands
{
    public static void AddTo(RootCommand root)
    {
        var dialplan = new Command("dialplan", "Dial rules: which trunk external numbers leave through, and how they are rewritten");
        dialplan.Subcommands.Add(Add());
        dialplan.Subcommands.Add(List());
        dialplan.Subcommands.Add(Remove());
        root.Subcommands.Add(dialplan);
    }

    private static Option<string?> ExtensionOption() =>
        new("--extension") { Description = "An extension (ext or ext@domain): its own rules, tried before the domain's" };

    private static Command Add()
    {
        var domain = PolicyCli.Domain();
        var extension = ExtensionOption();
        var pattern = new Option<string>("--pattern") { Description = "Asterisk-style: digits, X N Z, [1-5], trailing '.', leading '+'", Required = true };
        var trunk = new Option<string>("--trunk") { Description = "The trunk's name", Required = true };
        var strip = new Option<int>("--strip") { Description = "Leading characters to remove" };
        var prefix = new Option<string?>("--prefix") { Description = "Digits to put in front after stripping" };
        var position = new Option<int?>("--position") { Description = "1 = first; default: last" };
        var add = new Command("add", "Add a dial rule") { domain, extension, pattern, trunk, strip, prefix, position };
        add.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
        {
            if (!DialRule.TryCreate(result.GetValue(pattern), result.GetValue(trunk), result.GetValue(strip), result.GetValue(prefix), out var rule, out var error))
            {
                return PolicyCli.Fail(error);
            }

            if (PolicyInput.CheckPosition(result.GetValue(position)) is { } badPosition)
            {
                return PolicyCli.Fail(badPosition);
            }

            var (d, e) = PolicyCli.Owner(result, result.GetValue(domain), result.GetValue(extension));
            var entry = await store.AddDialRuleAsync(d, e, result.GetValue(position), rule, ct);
            Console.WriteLine($"Added rule {entry.Id} at position {entry.Position}.");
            return 0;
        }, ct));
        return add;
    }

    private static Command List()
    {
        var domain = PolicyCli.Domain();
        var extension = ExtensionOption();
        var list = new Command("list", "List the rules in the order they are tried") { domain, extension };
        list.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
        {
            var (d, e) = PolicyCli.Owner(result, result.GetValue(domain), result.GetValue(extension));
            var rules = e is null ? [] : await store.ListDialRulesAsync(d, e, ct);
            foreach (var entry in rules.Concat(await store.ListDialRulesAsync(d, null, ct)))
            {
                var owner = entry.Extension is null ? d : entry.Extension + "@" + d;
                Console.WriteLine($"{entry.Id}\t{owner}\t#{entry.Position}\t{entry.Rule.Pattern}\ttrunk {entry.Rule.Trunk}\tstrip {entry.Rule.Strip}\tprefix '{entry.Rule.Prefix}'");
            }

            return 0;
        }, ct));
        return list;
    }

    private static Command Remove()
    {
        var id = new Argument<long>("id") { Description = "The rule's id, as 'dialplan list' shows it" };
        var remove = new Command("remove", "Remove a dial rule") { id };
        remove.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
            await store.RemoveDialRuleAsync(result.GetValue(id), ct) ? 0 : PolicyCli.Fail($"There is no rule {result.GetValue(id)}."), ct));
        return remove;
    }
}
