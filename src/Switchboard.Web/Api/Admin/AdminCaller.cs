using Switchboard.Pbx.Directory;

namespace Switchboard.Web.Api.Admin;

/// <summary>The administrator a request of the admin API comes from, checked by <see cref="AdminGate"/>.</summary>
internal sealed record AdminCaller(Extension Extension, string SessionToken)
{
    public bool IsSystemAdmin => Extension.Role == ExtensionRole.SystemAdmin;

    /// <summary>
    /// The domain a list is about: the one named, if this caller may see it; unnamed, the caller's own domain, or
    /// every domain (null) for a system administrator.
    /// </summary>
    /// <returns>false when the caller may not see the named domain.</returns>
    public bool TryScope(string? requested, out string? domain)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            domain = IsSystemAdmin ? null : Extension.Domain;
            return true;
        }

        domain = requested.Trim().ToLowerInvariant();
        return IsSystemAdmin || string.Equals(domain, Extension.Domain, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The one domain a change is made in: the one named if this caller may change it, else the caller's own.</summary>
    public bool TryDomain(string? requested, out string domain)
    {
        var allowed = TryScope(requested, out var scoped);
        domain = scoped ?? Extension.Domain;
        return allowed;
    }
}
