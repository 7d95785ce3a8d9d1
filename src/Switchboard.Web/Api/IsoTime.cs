using System.Globalization;

namespace Switchboard.Web.Api;

/// <summary>Times that administrators type: ISO 8601, where a time without an offset is UTC.</summary>
public static class IsoTime
{
    /// <returns>false only for text that is not a time; empty text is a valid "no time".</returns>
    public static bool TryParse(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }
}
