using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Switchboard.Pbx.Security;

/// <summary>
/// Refused authentications since start, by path (<c>web</c>, <c>link</c>, <c>sip</c>) and reason (<c>bad_credentials</c>,
/// <c>locked_out</c>, ...: the same words as the audit trail in <c>login_failures</c>), for metrics and the admin overview.
/// A refusal is already a log line and a store write; counting it is one increment in a slot made on first use.
/// </summary>
public sealed class AuthFailureCounters
{
    private readonly ConcurrentDictionary<(string Path, string Reason), StrongBox<long>> _counts = new();

    public void Count(string path, string reason)
    {
        var slot = _counts.GetOrAdd((path, reason), static _ => new StrongBox<long>());
        Interlocked.Increment(ref slot.Value);
    }

    public IEnumerable<(string Path, string Reason, long Count)> All =>
        _counts.Select(p => (p.Key.Path, p.Key.Reason, Interlocked.Read(ref p.Value.Value)));

    public long Total => _counts.Values.Sum(box => Interlocked.Read(ref box.Value));
}
