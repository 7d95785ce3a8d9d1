namespace Switchboard.Pbx.Directory;

/// <summary>The syntax of the names the directory accepts, in one place.</summary>
public static class Names
{
    /// <summary>Extension numbers: 1 to 16 digits (they are dialled from keypads).</summary>
    public static bool IsExtensionNumber(string? value) =>
        value is { Length: >= 1 and <= 16 } && !value.AsSpan().ContainsAnyExceptInRange('0', '9');

    public const int MaxDisplayNameLength = 64;

    /// <summary>
    /// A display name (the caller ID name of RFC 3261 section 20.20): 1 to 64 characters, none of them a control
    /// character, so it can never break a header line or a CSV row.
    /// </summary>
    public static bool IsDisplayName(string? value) =>
        value is { Length: >= 1 and <= MaxDisplayNameLength } && !value.Any(char.IsControl) && value.Trim().Length > 0;

    /// <summary>A DNS-style domain name: labels of letters, digits and hyphens, dot-separated.</summary>
    public static bool IsDomainName(string? value)
    {
        if (value is not { Length: >= 1 and <= 253 })
        {
            return false;
        }

        // Read in place: every digest check asks this of a request's host, so it allocates nothing.
        foreach (var range in value.AsSpan().Split('.'))
        {
            var label = value.AsSpan(range);
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// A number the popup may dial: an optional leading '+', then 1 to 32 of 0-9 * # (spec 2.9).
    /// Anything else is a bad link, refused before any routing.
    /// </summary>
    public static bool IsDialString(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 33)
        {
            return false;
        }

        var digits = value[0] == '+' ? value.AsSpan(1) : value.AsSpan();
        if (digits.Length is 0 or > 32)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c) && c != '*' && c != '#')
            {
                return false;
            }
        }

        return true;
    }
}
