using System.CommandLine;
using Switchboard.Pbx.Policy;

namespace Switchboard.Server.Cli;

/// <summary><c>numberclass set|show</c>: a domain's patterns for emergency, premium, toll-free and international numbers.</summary>
internal static class NumberClassCommands
{
    public static void AddTo(RootCommand root)
    {
        var domain = PolicyCli.Domain();
        var numberClass = new Option<string>("--class") { Description = "emergency, premium, tollfree or international", Required = true };
        var patterns = new Option<string>("--patterns") { Description = "Comma-separated patterns; empty restores the default", Required = true };
        var set = new Command("set", "Replace one class's patterns for a domain") { domain, numberClass, patterns };
        set.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
        {
            if (!PolicyInput.TryParseConfigurableClass(result.GetValue(numberClass), out var parsedClass, out var classError))
            {
                return PolicyCli.Fail(classError);
            }

            if (!PolicyInput.TryParsePatterns(result.GetValue(patterns), out var parsed, out var error))
            {
                return PolicyCli.Fail(error);
            }

            var (d, _) = PolicyCli.Owner(result, result.GetValue(domain), null);
            await store.SetNumberClassPatternsAsync(d, parsedClass, parsed, ct);
            Console.WriteLine(parsed.Count > 0 ? $"{d}: {NumberClasses.Name(parsedClass)} is {string.Join(',', parsed)}." : $"{d}: {NumberClasses.Name(parsedClass)} is back to the default.");
            return 0;
        }, ct));

        var showDomain = PolicyCli.Domain();
        var show = new Command("show", "Show a domain's number plan (anything else external is national)") { showDomain };
        show.SetAction((result, ct) => PolicyCli.RunAsync(result, async store =>
        {
            var plan = await store.GetNumberPlanAsync(PolicyCli.Owner(result, result.GetValue(showDomain), null).Domain, ct);
            Console.WriteLine($"emergency\t{string.Join(',', plan.Emergency)}");
            Console.WriteLine($"premium\t{string.Join(',', plan.Premium)}");
            Console.WriteLine($"tollfree\t{string.Join(',', plan.TollFree)}");
            Console.WriteLine($"international\t{string.Join(',', plan.International)}");
            return 0;
        }, ct));

        root.Subcommands.Add(new Command("numberclass", "Which external numbers are emergency, premium, toll-free or international") { set, show });
    }
}
