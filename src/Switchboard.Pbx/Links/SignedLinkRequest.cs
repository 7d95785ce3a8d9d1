namespace Switchboard.Pbx.Links;

/// <summary>The parameters of a pre-signed makecall.htm link, URL-decoded, exactly as written in it.</summary>
public sealed record SignedLinkRequest(string? Destination, string? User, string? Pass, string? Time, string? Duration);
