using System.CommandLine;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Trunks;
using Switchboard.Server.Hosting;
using Switchboard.Sip.Transport;
using Switchboard.Storage;

namespace Switchboard.Server.Cli;

/// <summary><c>trunk add|list|remove</c>: SIP trunks to carriers (docs/trunks.md). A running server reads them at start.</summary>
internal static class TrunkCommands
{
    public static void AddTo(RootCommand root)
    {
        var trunk = new Command("trunk", "SIP trunks to carriers, per domain, in failover order");
        var domain = new Option<string>("--domain") { Description = "The domain whose calls use the trunk", Required = true };
        var name = new Option<string>("--name") { Description = "A short name (letters, digits, '-', '_'); call records say trunk:NAME", Required = true };
        var proxy = new Option<string>("--proxy") { Description = "The carrier's registrar and proxy, host or host:port", Required = true };
        var transport = new Option<string>("--transport") { Description = "udp, tcp or tls", DefaultValueFactory = _ => "udp" };
        var username = new Option<string>("--username") { Description = "The account at the carrier", Required = true };
        var password = new Option<string?>("--password") { Description = "Its password (or $SWITCHBOARD_TRUNK_PASSWORD); sealed at rest" };
        var noRegister = new Option<bool>("--no-register") { Description = "The carrier knows our address: do not register" };
        var carrierDomain = new Option<string?>("--carrier-domain") { Description = "Host in our Request-URI, From and To (default: the proxy's host)" };
        var fromUser = new Option<string?>("--from-user") { Description = "Caller ID: the From user of outbound calls (default: the caller's extension)" };
        var pai = new Option<string?>("--pai") { Description = "Send P-Asserted-Identity with this number" };
        var did = new Option<string[]>("--did") { Description = "Inbound number and destination, DID=DEST (repeat)", AllowMultipleArgumentsPerToken = true };

        var add = new Command("add", "Add a trunk (last in the domain's failover order)")
            { domain, name, proxy, transport, username, password, noRegister, carrierDomain, fromUser, pai, did };
        add.SetAction(async (result, ct) =>
        {
            if (!TrunkValidation.TryParseTransport(result.GetValue(transport), out var kind))
            {
                Console.Error.WriteLine($"--transport: '{result.GetValue(transport)}' is not udp, tcp or tls.");
                return 1;
            }

            var dids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValue(did) ?? [])
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2)
                {
                    Console.Error.WriteLine($"--did: '{pair}' is not DID=DESTINATION.");
                    return 1;
                }

                dids[parts[0]] = parts[1];
            }

            var secret = result.GetValue(password) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_TRUNK_PASSWORD");
            if (string.IsNullOrEmpty(secret))
            {
                Console.Error.WriteLine("--password: the carrier account's password is missing (or set $SWITCHBOARD_TRUNK_PASSWORD).");
                return 1;
            }

            var candidate = new Trunk(0, result.GetValue(domain)!, result.GetValue(name)!, result.GetValue(proxy)!, kind, result.GetValue(username)!,
                !result.GetValue(noRegister), 0, result.GetValue(carrierDomain), result.GetValue(fromUser), result.GetValue(pai), dids);
            if (TrunkValidation.Check(candidate) is { } problem)
            {
                Console.Error.WriteLine(problem + ".");
                return 1;
            }

            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            try
            {
                var added = await Store(data).AddAsync(candidate, secret, ct);
                Console.WriteLine($"Added trunk {added.Name} to {added.Domain} at position {added.Position}. Restart the server to use it.");
                return 0;
            }
            catch (Exception ex) when (ex is DirectoryConflictException or ArgumentException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });

        var listDomain = new Option<string?>("--domain") { Description = "Only this domain's trunks" };
        var list = new Command("list", "List trunks in failover order") { listDomain };
        list.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            foreach (var t in await Store(data).ListAsync(result.GetValue(listDomain), ct))
            {
                var dids = string.Join(", ", t.DidMap.Select(d => d.Key + "->" + d.Value));
                Console.WriteLine($"{t.Domain} #{t.Position} {t.Name}: {t.Transport.UriParameter()} {t.Proxy} as {t.Username}" +
                    $"{(t.Register ? ", registers" : "")}{(t.FromUser is { } f ? ", from " + f : "")}{(t.AssertedIdentity is { } p ? ", PAI " + p : "")}" +
                    (dids.Length > 0 ? ", DIDs " + dids : ""));
            }

            return 0;
        });

        var removeDomain = new Option<string>("--domain") { Required = true };
        var removeName = new Option<string>("--name") { Required = true };
        var remove = new Command("remove", "Remove a trunk") { removeDomain, removeName };
        remove.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            if (await Store(data).RemoveAsync(result.GetValue(removeDomain)!, result.GetValue(removeName)!, ct))
            {
                Console.WriteLine("Removed.");
                return 0;
            }

            Console.Error.WriteLine("--name: no such trunk in that domain.");
            return 1;
        });

        trunk.Subcommands.Add(add);
        trunk.Subcommands.Add(list);
        trunk.Subcommands.Add(remove);
        root.Subcommands.Add(trunk);
    }

    private static SqlTrunkStore Store(DataFolder data) => new(data.Database, data.Secrets, TimeProvider.System);
}
