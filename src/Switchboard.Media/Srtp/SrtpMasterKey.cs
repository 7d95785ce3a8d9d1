namespace Switchboard.Media.Srtp;

/// <summary>A master key and master salt for one direction, with the profile they belong to.</summary>
public sealed class SrtpMasterKey
{
    private readonly byte[] _key;
    private readonly byte[] _salt;

    /// <summary>Copies <paramref name="key"/> and <paramref name="salt"/>; their lengths must match the profile.</summary>
    /// <exception cref="ArgumentException">A length does not match the profile (a programmer error).</exception>
    public SrtpMasterKey(SrtpProfile profile, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        if (!profile.IsSupported())
        {
            throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile.");
        }

        if (key.Length != profile.MasterKeyLength())
        {
            throw new ArgumentException($"{profile} needs a {profile.MasterKeyLength()}-byte master key.", nameof(key));
        }

        if (salt.Length != profile.MasterSaltLength())
        {
            throw new ArgumentException($"{profile} needs a {profile.MasterSaltLength()}-byte master salt.", nameof(salt));
        }

        Profile = profile;
        _key = key.ToArray();
        _salt = salt.ToArray();
    }

    /// <summary>The protection profile.</summary>
    public SrtpProfile Profile { get; }

    /// <summary>The master key.</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <summary>The master salt.</summary>
    public ReadOnlySpan<byte> Salt => _salt;

    /// <summary>Key material is never printed.</summary>
    public override string ToString() => $"SrtpMasterKey({Profile}, <redacted>)";
}
