using System.CommandLine;
using Switchboard.Pbx.Directory;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Cli;

/// <summary><c>domain add NAME</c>, <c>domain list</c>, <c>domain origins ...</c>.</summary>
internal static class DomainCommands
{
    public static void AddTo(RootCommand root)
    {
        var domain = new Command("domain", "Create and list domains");

        var name = new Argument<string>("name") { Description = "The domain name, e.g. example.com" };
        var add = new Command("add", "Create a domain") { name };
        add.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            try
            {
                var created = await data.Directory(TimeProvider.System).CreateDomainAsync(result.GetValue(name)!, ct);
                Console.WriteLine($"Created domain {created.Name}.");
                return 0;
            }
            catch (Exception ex) when (ex is DirectoryConflictException or ArgumentException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });

        var list = new Command("list", "List the domains");
        list.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            foreach (var d in await data.Directory(TimeProvider.System).ListDomainsAsync(ct))
            {
                Console.WriteLine(d.Name);
            }

            return 0;
        });

        domain.Subcommands.Add(add);
        domain.Subcommands.Add(list);
        domain.Subcommands.Add(OriginCommands.Create());
        root.Subcommands.Add(domain);
    }
}
