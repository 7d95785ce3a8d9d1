namespace Switchboard.Pbx.Directory;

/// <summary>What an extension may do beyond calling. Stored as lower-case text (<c>user</c>, <c>admin</c>).</summary>
public enum ExtensionRole
{
    /// <summary>Places and takes calls; the default.</summary>
    User,

    /// <summary>Also reads its own domain's call records through the admin API (docs/call-records.md).</summary>
    Admin,
}
