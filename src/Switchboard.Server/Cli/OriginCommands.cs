using System.CommandLine;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Tokens;
using Switchboard.Server.Hosting;
using Switchboard.Storage;

namespace Switchboard.Server.Cli;

/// <summary><c>domain origins add|list|remove</c>: the websites allowed to embed the domain's calls with the widget (docs/widget.md).</summary>
internal static class OriginCommands
{
    public static Command Create()
    {
        var origins = new Command("origins", "Web origins (https://shop.example) allowed to embed this domain's calls in their pages");
        origins.Subcommands.Add(Change("add", "Allow an origin", async (store, domain, origin, ct) =>
        {
            Console.WriteLine(await store.AddOriginAsync(domain, origin, ct) ? $"Allowed {origin} for {domain}." : $"{origin} was allowed already.");
            return 0;
        }));
        origins.Subcommands.Add(Change("remove", "Remove an origin", async (store, domain, origin, ct) =>
        {
            if (!await store.RemoveOriginAsync(domain, origin, ct))
            {
                return PolicyCli.Fail($"{origin} is not an allowed origin of {domain}.");
            }

            Console.WriteLine($"Removed {origin} from {domain}.");
            return 0;
        }));

        var domain = new Argument<string>("domain") { Description = "The domain" };
        var list = new Command("list", "List the allowed origins") { domain };
        list.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            foreach (var origin in await new SqlWebOriginStore(data.Database).ListOriginsAsync(result.GetValue(domain)!.ToLowerInvariant(), ct))
            {
                Console.WriteLine(origin);
            }

            return 0;
        });
        origins.Subcommands.Add(list);
        return origins;
    }

    private static Command Change(string name, string description, Func<SqlWebOriginStore, string, string, CancellationToken, Task<int>> change)
    {
        var domain = new Argument<string>("domain") { Description = "The domain" };
        var origin = new Argument<string>("origin") { Description = "scheme://host[:port], e.g. https://shop.example (no path)" };
        var command = new Command(name, description) { domain, origin };
        command.SetAction(async (result, ct) =>
        {
            if (!WebOrigin.TryNormalize(result.GetValue(origin), out var normalized))
            {
                return PolicyCli.Fail($"'{result.GetValue(origin)}' is not a web origin: write scheme://host[:port], http or https, without a path.");
            }

            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            try
            {
                return await change(new SqlWebOriginStore(data.Database), result.GetValue(domain)!.ToLowerInvariant(), normalized, ct);
            }
            catch (DirectoryConflictException ex)
            {
                return PolicyCli.Fail(ex.Message);
            }
        });
        return command;
    }
}
