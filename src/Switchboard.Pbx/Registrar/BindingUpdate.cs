using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Registrar;

/// <summary>One Contact of a REGISTER after its expiry was settled: <see cref="Expires"/> zero removes it.</summary>
public sealed record BindingUpdate(SipUri Contact, TimeSpan Expires, string? InstanceId, int? RegId);

/// <summary>What every binding of one REGISTER shares: who, over which flow, and its place in the Call-ID/CSeq order.</summary>
/// <param name="Path">The REGISTER's Path header values in order (RFC 3327 section 5.3): the proxies a request to the contacts must pass.</param>
public sealed record RegisterSource(long ExtensionId, SipFlow Flow, string CallId, uint CSeq, string? UserAgent, IReadOnlyList<string>? Path = null);

public enum BindingUpdateStatus
{
    Ok,

    /// <summary>A binding touched by the request came from the same Call-ID with an equal or higher CSeq (RFC 3261 section 10.3 steps 6-7).</summary>
    OutOfOrder,
}

/// <summary>The outcome of an update: the bindings now current (on success), and how many were added, removed or pushed out.</summary>
public sealed record BindingUpdateResult(BindingUpdateStatus Status, IReadOnlyList<ContactBinding> Bindings, int Added, int Removed, int Evicted)
{
    public bool IsOk => Status == BindingUpdateStatus.Ok;

    internal static BindingUpdateResult OutOfOrder { get; } = new(BindingUpdateStatus.OutOfOrder, [], 0, 0, 0);
}
