namespace Switchboard.Sip.Messages;

/// <summary>A generic parameter, ";name" or ";name=value" (values of quoted strings keep their quotes).</summary>
public readonly record struct SipParameter(string Name, string? Value)
{
    public override string ToString() => Value is null ? Name : $"{Name}={Value}";
}

public static class SipParameterListExtensions
{
    /// <summary>Whether a parameter of that name (case-insensitive) is present.</summary>
    public static bool Has(this IReadOnlyList<SipParameter> parameters, string name)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var p in parameters)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>The value of the first parameter of that name (case-insensitive), or null when absent or valueless.</summary>
    public static string? Get(this IReadOnlyList<SipParameter> parameters, string name)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var p in parameters)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        }
        return null;
    }
}
