namespace Switchboard.Pbx.Directory;

/// <summary>What an extension may do beyond calling. Stored as lower-case text (<c>user</c>, <c>admin</c>, <c>system-admin</c>).</summary>
public enum ExtensionRole
{
    /// <summary>Places and takes calls; the default.</summary>
    User,

    /// <summary>Also administers its own domain through the admin API and portal (docs/admin.md).</summary>
    Admin,

    /// <summary>An administrator of every domain: the portal and the admin API may name any domain.</summary>
    SystemAdmin,
}

public static class ExtensionRoles
{
    /// <summary>May use the admin API and portal at all.</summary>
    public static bool IsAdmin(this ExtensionRole role) => role is ExtensionRole.Admin or ExtensionRole.SystemAdmin;

    /// <summary>The stored and wire text of a role.</summary>
    public static string ToCode(this ExtensionRole role) => role switch
    {
        ExtensionRole.Admin => "admin",
        ExtensionRole.SystemAdmin => "system-admin",
        _ => "user",
    };

    /// <returns>false for text that names no role.</returns>
    public static bool TryParse(string? text, out ExtensionRole role)
    {
        role = text switch
        {
            "user" => ExtensionRole.User,
            "admin" => ExtensionRole.Admin,
            "system-admin" => ExtensionRole.SystemAdmin,
            _ => (ExtensionRole)(-1),
        };
        return Enum.IsDefined(role);
    }
}
