namespace Switchboard.Pbx.Security;

/// <summary>What of a user-supplied value may reach a log line.</summary>
public static class Redact
{
    /// <summary>Printable ASCII only, at most 64 characters: a typed account can hold anything, including a password pasted into the wrong field.</summary>
    public static string Account(string value)
    {
        var clean = new string(value.Where(c => c is >= ' ' and <= '~').Take(64).ToArray());
        return clean.Length == value.Length ? clean : clean + "…";
    }
}
