namespace Switchboard.Pbx.Security;

/// <summary>Seals secrets that the PBX must be able to read back (web and SIP passwords: digest and signed links need them).</summary>
public interface ISecretProtector
{
    byte[] Protect(string secret);

    /// <summary>The secret, or null when the blob was not sealed with this key or was altered.</summary>
    string? Unprotect(ReadOnlySpan<byte> sealedSecret);
}
