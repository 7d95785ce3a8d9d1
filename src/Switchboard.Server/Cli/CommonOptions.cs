using System.CommandLine;

namespace Switchboard.Server.Cli;

/// <summary>Options every verb understands.</summary>
internal static class CommonOptions
{
    public static Option<string> Data { get; } = new("--data")
    {
        Description = "The data folder (SQLite database, secrets key, certificate). Default: $SWITCHBOARD_DATA or ./data",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SWITCHBOARD_DATA") is { Length: > 0 } env ? env : "data",
        Recursive = true,
    };

    /// <summary>A PostgreSQL connection string; absent, the SQLite file in the data folder (docs/scale-out.md).</summary>
    public static Option<string?> Store { get; } = new("--store")
    {
        Description = "PostgreSQL connection string (Host=...;Port=...;Username=...;Database=...) of a database shared by the PBX nodes. " +
            "Default: $SWITCHBOARD_STORE, or the SQLite file in the data folder",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SWITCHBOARD_STORE") is { Length: > 0 } env ? env : null,
        Recursive = true,
    };

    public static Option<string> DefaultDomain { get; } = new("--default-domain")
    {
        Description = "The domain that a bare extension number belongs to, and the demo domain made at first start",
        DefaultValueFactory = _ => "demo.local",
        Recursive = true,
    };

    /// <summary>Splits <c>ext@domain</c>; a bare extension takes the default domain.</summary>
    public static (string Number, string Domain) Account(ParseResult result, string account)
    {
        var at = account.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (account, result.GetValue(DefaultDomain)!) : (account[..at], account[(at + 1)..].ToLowerInvariant());
    }
}
