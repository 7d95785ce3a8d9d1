using System.CommandLine;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Links;
using Switchboard.Server.Hosting;
using Switchboard.Storage;

namespace Switchboard.Server.Cli;

/// <summary><c>link make</c>: a pre-signed click-to-call link and its HTML snippet (spec 1, "Pre-signed links").</summary>
internal static class LinkCommands
{
    public static void AddTo(RootCommand root)
    {
        var account = new Option<string>("--account") { Description = "The calling account, ext@domain", Required = true };
        var destination = new Option<string>("--destination") { Description = "The number the link may call", Required = true };
        var duration = new Option<long>("--duration") { Description = "Validity in seconds (the PBX refuses more than its maximum, default 7200)", DefaultValueFactory = _ => 3600 };
        var baseUrl = new Option<string>("--base-url") { Description = "The PBX's address as users reach it", DefaultValueFactory = _ => "https://localhost:8443/" };
        var lang = new Option<string?>("--lang") { Description = "Preselected language (en, de)" };
        var time = new Option<long?>("--time") { Description = "Creation time in Unix seconds (default: now)" };
        var label = new Option<string>("--label") { Description = "The link text of the HTML snippet", DefaultValueFactory = _ => "Call" };
        var make = new Command("make", "Print a signed makecall.htm URL and an HTML snippet that opens it") { account, destination, duration, baseUrl, lang, time, label };
        make.SetAction(async (result, ct) =>
        {
            var (number, domain) = CommonOptions.Account(result, result.GetValue(account)!);
            if (!Names.IsDialString(result.GetValue(destination)) || !Uri.TryCreate(result.GetValue(baseUrl), UriKind.Absolute, out var url))
            {
                Console.Error.WriteLine("--destination must be a dial string (digits, * #, optional leading +) and --base-url an absolute URL.");
                return 1;
            }

            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            var admin = new PbxAdmin(data.Directory(TimeProvider.System), new SqlCallRecordStore(data.Database));
            try
            {
                var link = await admin.MakeSignedLinkAsync(url, $"{number}@{domain}", result.GetValue(destination)!,
                    result.GetValue(time) ?? TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(), result.GetValue(duration), result.GetValue(lang), ct);
                Console.WriteLine(link.AbsoluteUri);
                Console.WriteLine(SignedLinkBuilder.Snippet(link, result.GetValue(label)!));
                return 0;
            }
            catch (DirectoryConflictException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });

        var linkCommand = new Command("link", "Signed click-to-call links");
        linkCommand.Subcommands.Add(make);
        root.Subcommands.Add(linkCommand);
    }
}
