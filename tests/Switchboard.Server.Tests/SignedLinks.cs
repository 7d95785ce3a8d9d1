using System.Net.Http.Json;

namespace Switchboard.Server.Tests;

/// <summary>What the popup does with a signed link: post its parameters, as written in it, to <c>/api/link</c>.</summary>
internal static class SignedLinks
{
    /// <param name="destination">The number the page claims; null takes the link's own <c>destnumber</c>.</param>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, Uri link, string? destination = null)
    {
        var q = System.Web.HttpUtility.ParseQueryString(link.Query);
        return client.PostAsJsonAsync(new Uri("api/link", UriKind.Relative),
            new { destnumber = destination ?? q["destnumber"], user = q["user"], pass = q["pass"], time = q["time"], duration = q["duration"] });
    }
}
