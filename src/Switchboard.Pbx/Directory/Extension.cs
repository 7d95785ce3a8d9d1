namespace Switchboard.Pbx.Directory;

/// <summary>
/// An extension as the PBX sees it. Passwords are not here: they stay sealed in the store and are
/// opened only by <see cref="IDirectoryStore.GetWebPasswordAsync"/> and its SIP twin when a check needs them.
/// </summary>
public sealed record Extension(long Id, string Domain, string Number, string DisplayName, DateTimeOffset CreatedAt)
{
    /// <summary>The account as users write it: <c>number@domain</c>.</summary>
    public string Account => Number + "@" + Domain;

    public ExtensionRole Role { get; init; } = ExtensionRole.User;
}
