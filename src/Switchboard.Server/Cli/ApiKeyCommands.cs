using System.CommandLine;
using System.Globalization;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Tokens;
using Switchboard.Server.Hosting;
using Switchboard.Storage;

namespace Switchboard.Server.Cli;

/// <summary><c>apikey create|list|revoke</c>: the keys websites' backends mint call tokens with (docs/tokens.md).</summary>
internal static class ApiKeyCommands
{
    public static void AddTo(RootCommand root)
    {
        var apikey = new Command("apikey", "API keys that let a website's backend mint single-use call tokens (POST /api/tokens)");

        var domain = PolicyCli.Domain("The domain whose calls the key mints tokens for (default: the default domain)");
        var caller = new Option<string>("--caller")
        {
            Description = "The extension the key's calls run as: their caller ID, permissions, allow-list and limits (e.g. a 'web visitor' extension)",
            Required = true,
        };
        var label = new Option<string?>("--label") { Description = "What the key is for, e.g. the website's name" };
        var create = new Command("create", "Create a key and print it (once: only its hash is stored)") { domain, caller, label };
        create.SetAction(async (result, ct) =>
        {
            var d = PolicyCli.Owner(result, result.GetValue(domain), null).Domain;
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            try
            {
                var (key, secret) = await ApiKeyAdmin.CreateAsync(new SqlCallTokenStore(data.Database), d, result.GetValue(caller)!,
                    result.GetValue(label), TimeProvider.System.GetUtcNow(), ct);
                Console.WriteLine(secret);
                Console.Error.WriteLine($"Created API key {key.KeyId} for {key.Domain}, calling as {key.CallerNumber}. Store it now: it is not shown again.");
                return 0;
            }
            catch (DirectoryConflictException ex)
            {
                return PolicyCli.Fail(ex.Message);
            }
        });

        var listDomain = PolicyCli.Domain("Only this domain's keys (default: every domain)");
        var list = new Command("list", "List the keys: id, domain, caller, label, created, revoked") { listDomain };
        list.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            foreach (var key in await new SqlCallTokenStore(data.Database).ListKeysAsync(result.GetValue(listDomain)?.ToLowerInvariant(), ct))
            {
                Console.WriteLine(string.Join('\t', key.KeyId, key.Domain, key.CallerNumber, key.Label ?? "-",
                    key.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    key.RevokedAt is { } revoked ? "revoked " + revoked.ToString("u", CultureInfo.InvariantCulture) : "active"));
            }

            return 0;
        });

        var id = new Argument<string>("id") { Description = "The key's id, as 'apikey list' shows it (the 16 hex digits after sbk_)" };
        var revoke = new Command("revoke", "Revoke a key: it mints nothing more, and the tokens it minted are refused") { id };
        revoke.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            if (!await new SqlCallTokenStore(data.Database).RevokeKeyAsync(result.GetValue(id)!, TimeProvider.System.GetUtcNow(), ct))
            {
                return PolicyCli.Fail($"There is no active API key {result.GetValue(id)}.");
            }

            Console.WriteLine($"Revoked API key {result.GetValue(id)}.");
            return 0;
        });

        apikey.Subcommands.Add(create);
        apikey.Subcommands.Add(list);
        apikey.Subcommands.Add(revoke);
        root.Subcommands.Add(apikey);
    }
}
