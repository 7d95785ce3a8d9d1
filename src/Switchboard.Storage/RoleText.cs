using Switchboard.Pbx.Directory;

namespace Switchboard.Storage;

/// <summary>The <c>extensions.role</c> column's text. An unknown value reads as the least privilege.</summary>
internal static class RoleText
{
    public static string Format(ExtensionRole role) => role.ToCode();

    public static ExtensionRole Parse(string text) => ExtensionRoles.TryParse(text, out var role) ? role : ExtensionRole.User;
}
