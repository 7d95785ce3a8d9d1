namespace Switchboard.Pbx.Ivr;

/// <summary>
/// Extensions that ring all at once; the first to answer takes the call. When none answers within
/// <see cref="RingTimeout"/>, the call goes to <see cref="Fallback"/> (a destination as in
/// <see cref="IvrMenu"/>), or ends when there is none.
/// </summary>
public sealed record RingGroup(string Name, IReadOnlyList<string> Members, TimeSpan RingTimeout, string? Fallback)
{
    public static readonly TimeSpan DefaultRingTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The first problem, naming the field, or null when the group is usable.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            return "name: is empty";
        }

        if (Members is null || Members.Count == 0)
        {
            return "members: a ring group needs at least one extension";
        }

        for (var i = 0; i < Members.Count; i++)
        {
            if (string.IsNullOrEmpty(Members[i]) || !Members[i].All(char.IsAsciiDigit))
            {
                return $"members[{i}]: '{Members[i]}' is not an extension number";
            }
        }

        if (Members.Distinct(StringComparer.Ordinal).Count() != Members.Count)
        {
            return "members: an extension is listed twice";
        }

        if (RingTimeout <= TimeSpan.Zero)
        {
            return "ringTimeoutSeconds: must be positive";
        }

        return Fallback is not null && string.IsNullOrWhiteSpace(Fallback) ? "fallback: is empty (leave it out for none)" : null;
    }
}
