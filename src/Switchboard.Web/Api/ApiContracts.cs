using System.Text.Json.Serialization;

namespace Switchboard.Web.Api;

// The JSON shapes of docs/signalling.md, "HTTP API". Property names are camelCase on the wire.

public sealed record LoginBody(string? Account, string? Password, bool Remember, string? Lang);

public sealed record LinkBody(string? Destnumber, string? User, string? Pass, string? Time, string? Duration);

public sealed record SessionReply(bool Authenticated, string? Account, string Lang, IReadOnlyList<LanguageReply> Languages);

public sealed record LanguageReply(string Code, string Name);

public sealed record LoginReply(string Account, string Lang, string Ticket);

public sealed record LinkReply(string Account, string Destnumber, string Ticket);

public sealed record MintBody(string? Destination, int? Ttl, string? Label, int? MaxDuration);

public sealed record MintReply(string Token, string Url, DateTimeOffset ExpiresAt);

public sealed record TokenBody(string? Destnumber, string? Token);

public sealed record TokenReply(string Destnumber, string Ticket);

public sealed record EmbedReply(bool Allowed);

public sealed record ErrorReply(string Error, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RetryAfter = null)
{
    /// <summary>Words for the developer of a website's backend (token minting only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }
}
