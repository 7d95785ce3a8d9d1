using System.Globalization;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Links;

/// <summary>
/// Checks a signed link against the account's web password (spec 2.1-2.3). The hash is checked before
/// the window and the cap, so someone without the password learns nothing but "invalid".
/// </summary>
public sealed class SignedLinkChecker
{
    private const long MaxUnixSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z, the DateTimeOffset limit.
    private readonly SecurityOptions _options;

    public SignedLinkChecker(SecurityOptions options) => _options = options;

    /// <param name="webPassword">The account's web password, or null when the account is unknown.</param>
    public SignedLinkVerdict Check(SignedLinkRequest link, string? webPassword, DateTimeOffset now)
    {
        if (link.User is null || link.Destination is null || link.Pass is null ||
            !TryParseSeconds(link.Time, out var time) || !TryParseSeconds(link.Duration, out var duration) || duration == 0)
        {
            return SignedLinkVerdict.Malformed;
        }

        // An unknown account still costs one hash, so its answer takes as long as a forged one's.
        var expected = SignedLinkHash.Compute(link.User, webPassword ?? "\0unknown", link.Destination, link.Time!, link.Duration!);
        if (!SignedLinkHash.Matches(expected, link.Pass) || webPassword is null)
        {
            return SignedLinkVerdict.Forged;
        }

        if (duration > _options.MaxLinkDuration.TotalSeconds)
        {
            return SignedLinkVerdict.DurationTooLong;
        }

        var nowSeconds = now.ToUnixTimeSeconds();
        if (nowSeconds < time - (long)_options.LinkClockSkew.TotalSeconds)
        {
            return SignedLinkVerdict.NotYetValid;
        }

        return nowSeconds < time + duration ? SignedLinkVerdict.Valid : SignedLinkVerdict.Expired;
    }

    private static bool TryParseSeconds(string? text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= MaxUnixSeconds;
}
