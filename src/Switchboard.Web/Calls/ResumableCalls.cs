using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Web.Calls;

/// <summary>
/// The resume tokens of the popups' live calls (docs/security.md, "Resuming a call"): a page whose call socket
/// dropped opens <c>/api/call?resume=TOKEN</c> and gets its call back. Each token is random (256 bits),
/// bound to one call, single-use (taken out when redeemed, replaced by a fresh one) and gone when the call
/// ends. Only its SHA-256 is kept, so the table holds nothing a memory dump could replay; the redeemed hash
/// is compared in constant time. Tokens are never logged.
/// </summary>
internal sealed class ResumableCalls
{
    private const int TokenBytes = 32;
    private const int MaxTokenLength = 64;
    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);

    public int Count => _byHash.Count;

    /// <summary>A fresh token for <paramref name="call"/>; its previous one stops working.</summary>
    public string Issue(CallAttachment call)
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        var hash = Hash(token);
        var key = Convert.ToHexString(hash);
        if (call.SwapTokenKey(key) is { } previous)
        {
            _byHash.TryRemove(previous, out _);
        }

        _byHash[key] = new Entry(hash, call);
        if (call.HasEnded)
        {
            // The call ended while this token was made: it must not outlive it.
            _byHash.TryRemove(key, out _);
        }

        return token;
    }

    /// <summary>Takes the token out (single use) and returns its call; null when unknown, used or ended.</summary>
    public CallAttachment? Redeem(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        var hash = Hash(token);
        if (!_byHash.TryRemove(Convert.ToHexString(hash), out var entry) || !CryptographicOperations.FixedTimeEquals(hash, entry.Hash))
        {
            return null;
        }

        entry.Call.SwapTokenKey(null);
        return entry.Call;
    }

    /// <summary>The call ended: its token goes.</summary>
    public void Forget(CallAttachment call)
    {
        if (call.SwapTokenKey(null) is { } key)
        {
            _byHash.TryRemove(key, out _);
        }
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private sealed record Entry(byte[] Hash, CallAttachment Call);
}
