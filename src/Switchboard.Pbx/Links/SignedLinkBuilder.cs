using System.Globalization;
using System.Net;

namespace Switchboard.Pbx.Links;

/// <summary>Writes a pre-signed makecall.htm link in the seed's form (spec 1), every parameter URL-encoded.</summary>
public static class SignedLinkBuilder
{
    public static Uri Build(Uri baseUrl, string user, string webPassword, string destination, long unixTime, long durationSeconds, string? lang)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var time = unixTime.ToString(CultureInfo.InvariantCulture);
        var duration = durationSeconds.ToString(CultureInfo.InvariantCulture);
        var hash = SignedLinkHash.Compute(user, webPassword, destination, time, duration);
        var query = $"destnumber={Encode(destination)}&user={Encode(user)}&pass={Encode(hash)}&time={time}&duration={duration}";
        if (!string.IsNullOrEmpty(lang))
        {
            query += "&lang=" + Encode(lang);
        }

        return new Uri(baseUrl, "makecall.htm?" + query);
    }

    /// <summary>The seed's HTML snippet that opens the link in a 230 x 300 popup.</summary>
    public static string Snippet(Uri link, string label) =>
        $"<div style=\"cursor:pointer;\" onclick=\"window.open('{link.AbsoluteUri}', '', 'width=230, height=300, left=200, location=0');\">{WebUtility.HtmlEncode(label)}</div>";

    private static string Encode(string value) => Uri.EscapeDataString(value);
}
