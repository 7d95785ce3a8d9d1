using System.Threading.RateLimiting;
using Switchboard.Web.Hosting;

namespace Switchboard.Web.Api;

/// <summary>
/// Tokens per API key per minute. Only keys that authenticated get a partition, so random key ids cannot grow it;
/// the per-address limit of <c>POST /api/tokens</c> comes first and covers the failures.
/// </summary>
internal sealed class TokenMintLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public TokenMintLimiter(WebOptions options) =>
        _limiter = PartitionedRateLimiter.Create<string, string>(keyId => RateLimitPartition.GetFixedWindowLimiter(keyId,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.TokenMintsPerKeyPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    public bool TryTake(string keyId)
    {
        using var lease = _limiter.AttemptAcquire(keyId);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
