namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    /// <summary>
    /// The calls up now, oldest first; only those of <paramref name="domain"/> (the caller's domain) unless it is null.
    /// Reads each call's last published picture: never blocks a call, never waits for one.
    /// </summary>
    public IReadOnlyList<LiveCall> LiveCalls(string? domain)
    {
        var list = new List<LiveCall>();
        foreach (var call in _calls.Values)
        {
            var view = call.View;
            if (domain is null || string.Equals(view.Domain, domain, StringComparison.OrdinalIgnoreCase))
            {
                list.Add(view);
            }
        }

        list.Sort(static (a, b) => a.StartedAt.CompareTo(b.StartedAt));
        return list;
    }

    /// <summary>
    /// Ends a call on an administrator's word: the request goes to the call's own mailbox, and the call ends as
    /// <see cref="CallEndReason.AdminHangup"/> by the PBX, with BYE or CANCEL on its SIP legs as for any end.
    /// </summary>
    /// <param name="domain">The administrator's domain; null for a system administrator, who may end any call.</param>
    /// <returns>false when no such call is up (in that domain).</returns>
    public bool HangUpByAdmin(string callId, string? domain)
    {
        if (!_calls.TryGetValue(callId, out var call) ||
            (domain is not null && !string.Equals(call.View.Domain, domain, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        call.EndByAdmin();
        return true;
    }
}
