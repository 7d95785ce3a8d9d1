using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// The portal's CSRF tokens (synchronizer tokens, OWASP CSRF Prevention Cheat Sheet): HMAC-SHA256 of the session's
/// cookie value under a server key. The page reads its token from <c>GET /api/admin/session</c> and sends it in
/// <see cref="HeaderName"/> with every change; another site can neither read it (same-origin policy) nor compute it
/// (it has neither the HttpOnly cookie nor the key). Nothing is stored: the token lives as long as the session.
/// </summary>
public sealed class CsrfTokens
{
    public const string HeaderName = "X-CSRF-Token";

    private readonly byte[] _key;

    public CsrfTokens(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The key must be at least 32 bytes.", nameof(key));
        }

        _key = key;
    }

    public string Issue(string sessionToken) => Convert.ToHexStringLower(Mac(sessionToken));

    /// <summary>Compared in constant time, so the answer's timing tells nothing about how much of a guess was right.</summary>
    public bool Matches(string sessionToken, string? presented)
    {
        if (presented is not { Length: 64 })
        {
            return false;
        }

        Span<byte> given = stackalloc byte[32];
        return Convert.FromHexString(presented, given, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32 &&
            CryptographicOperations.FixedTimeEquals(given, Mac(sessionToken));
    }

    private byte[] Mac(string sessionToken) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(sessionToken));
}
