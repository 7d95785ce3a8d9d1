using Microsoft.AspNetCore.Http;

namespace Switchboard.Web.Api;

internal static class ClientAddress
{
    /// <summary>The peer's address as the socket saw it (no forwarding headers are trusted by default).</summary>
    public static string Of(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "unknown";
}
