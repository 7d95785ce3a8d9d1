namespace Switchboard.Pbx.Tokens;

/// <summary>
/// A web origin in its serialized form (RFC 6454 section 6.2): <c>scheme://host[:port]</c>, lower case, the default
/// port left out, no path. That is the form browsers send in <c>Origin</c> and CSP's <c>frame-ancestors</c> matches.
/// </summary>
public static class WebOrigin
{
    public static bool TryNormalize(string? text, out string origin)
    {
        origin = "";
        if (string.IsNullOrWhiteSpace(text) || text.Length > 255 ||
            !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) ||
            uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return false;
        }

        origin = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
        return true;
    }
}
