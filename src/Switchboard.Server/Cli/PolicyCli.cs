using System.CommandLine;
using System.Globalization;
using Switchboard.Pbx.Directory;
using Switchboard.Server.Hosting;
using Switchboard.Storage;

namespace Switchboard.Server.Cli;

/// <summary>What the policy verbs share: opening the store, reporting a bad field, showing limits (their checks are <see cref="Pbx.Policy.PolicyInput"/>).</summary>
internal static class PolicyCli
{
    public static Option<string?> Domain(string description = "The domain (default: the default domain)") =>
        new("--domain") { Description = description };

    /// <summary>Runs <paramref name="work"/> on the data folder's policy store; an unknown domain or extension is a plain error.</summary>
    public static async Task<int> RunAsync(ParseResult result, Func<SqlPolicyStore, Task<int>> work, CancellationToken ct)
    {
        using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
        try
        {
            return await work(data.Policy());
        }
        catch (DirectoryConflictException ex)
        {
            return Fail(ex.Message);
        }
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }

    /// <summary>The domain, and the extension when one is named: <c>--extension 100</c> or <c>--extension 100@example.com</c>.</summary>
    public static (string Domain, string? Extension) Owner(ParseResult result, string? domain, string? extension)
    {
        if (extension is null)
        {
            return ((domain ?? result.GetValue(CommonOptions.DefaultDomain)!).ToLowerInvariant(), null);
        }

        var (number, extensionDomain) = CommonOptions.Account(result, extension);
        return (extension.Contains('@', StringComparison.Ordinal) ? extensionDomain : (domain ?? extensionDomain).ToLowerInvariant(), number);
    }

    public static string Show(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "none";
}
