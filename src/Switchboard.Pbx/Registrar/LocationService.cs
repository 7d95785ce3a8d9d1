using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Registrar;

/// <summary>
/// Where each extension can be reached: its contact bindings (RFC 3261 section 10.3), in memory. The registrar also
/// hands UDP bindings to an <see cref="IRegistrationStore"/>, and the host puts them back at start (<see cref="Restore"/>);
/// connection-oriented ones die with their connections. Thread-safe: the SIP endpoint registers while the call engine looks up.
/// Each extension's list is kept in refresh order, least recently refreshed first: that one makes room when full.
/// Beside its own bindings it holds the bindings other nodes' registrars made, as they share them through Redis (UDP flows
/// only: a connection another node holds is reached through that node's hop)
/// (<see cref="ApplyRemote"/>), so a call on this node reaches a phone that registered through another
/// (docs/scale-out.md, "Calls across nodes").
/// </summary>
public sealed class LocationService
{
    private readonly Dictionary<long, List<ContactBinding>> _byExtension = [];
    private readonly Dictionary<long, Dictionary<string, ContactBinding[]>> _remote = [];
    private readonly Lock _gate = new();
    private int _count;

    /// <summary>Bindings held, expired ones included until <see cref="Sweep"/> or the next update of their extension drops them.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// The unexpired bindings of an extension, least recently refreshed first, then those other nodes shared that this
    /// node does not hold itself (a phone that moved here from another node is rung once, through this node's binding).
    /// </summary>
    public IReadOnlyList<ContactBinding> Lookup(long extensionId, DateTimeOffset now)
    {
        lock (_gate)
        {
            var own = _byExtension.TryGetValue(extensionId, out var list) ? Current(list, now) : [];
            if (!_remote.TryGetValue(extensionId, out var byNode))
            {
                return own;
            }

            var all = new List<ContactBinding>(own);
            foreach (var shared in byNode.Values)
            {
                foreach (var binding in shared)
                {
                    if (binding.ExpiresAt > now && !all.Exists(b => b.Matches(binding.Contact, binding.InstanceId)))
                    {
                        all.Add(binding);
                    }
                }
            }

            return all;
        }
    }

    /// <summary>Only this node's own unexpired bindings of an extension: what its registrar answers a REGISTER with.</summary>
    public IReadOnlyList<ContactBinding> LookupOwn(long extensionId, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _byExtension.TryGetValue(extensionId, out var list) ? Current(list, now) : [];
        }
    }

    /// <summary>
    /// Replaces what <paramref name="node"/> holds for an extension with the bindings it shared (an empty list: it holds
    /// none any more). Each binding already carries a flow this node made to the same remote address.
    /// </summary>
    public void ApplyRemote(string node, long extensionId, IReadOnlyList<ContactBinding> bindings)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(bindings);
        lock (_gate)
        {
            if (!_remote.TryGetValue(extensionId, out var byNode))
            {
                byNode = [];
                _remote[extensionId] = byNode;
            }

            if (bindings.Count == 0)
            {
                byNode.Remove(node);
            }
            else
            {
                byNode[node] = [.. bindings.Select(b => b with { Node = node })];
            }

            if (byNode.Count == 0)
            {
                _remote.Remove(extensionId);
            }
        }
    }

    /// <summary>
    /// Applies the contacts of one REGISTER all or nothing (RFC 3261 section 10.3 step 7): each update refreshes the
    /// binding it matches (same +sip.instance or same URI), removes it when its expiry is zero, or adds a binding,
    /// pushing out the least recently refreshed one beyond <paramref name="maxContacts"/>.
    /// </summary>
    public BindingUpdateResult Apply(RegisterSource source, IReadOnlyList<BindingUpdate> updates, int maxContacts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxContacts, 1);
        lock (_gate)
        {
            var list = DropExpired(source.ExtensionId, now);
            foreach (var u in updates)
            {
                if (list.Find(b => b.Matches(u.Contact, u.InstanceId)) is { } existing && IsOutOfOrder(existing, source))
                {
                    return BindingUpdateResult.OutOfOrder;
                }
            }

            int added = 0, removed = 0, evicted = 0;
            foreach (var u in updates)
            {
                var i = list.FindIndex(b => b.Matches(u.Contact, u.InstanceId));
                if (i >= 0)
                {
                    list.RemoveAt(i);
                    _count--;
                }

                if (u.Expires <= TimeSpan.Zero)
                {
                    removed += i >= 0 ? 1 : 0;
                    continue;
                }

                if (i < 0)
                {
                    added++;
                    if (list.Count >= maxContacts)
                    {
                        list.RemoveAt(0);
                        _count--;
                        evicted++;
                    }
                }

                list.Add(new ContactBinding(source.ExtensionId, u.Contact, source.Flow, now + u.Expires, u.InstanceId, u.RegId, source.CallId, source.CSeq, source.UserAgent, source.Path));
                _count++;
            }

            Forget(source.ExtensionId, list);
            return new BindingUpdateResult(BindingUpdateStatus.Ok, [.. list], added, removed, evicted);
        }
    }

    /// <summary>
    /// Puts back bindings a previous process held (before any REGISTER of this one): each extension's in the order given,
    /// which the store keeps as least recently refreshed first.
    /// </summary>
    public void Restore(IEnumerable<ContactBinding> bindings)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        lock (_gate)
        {
            foreach (var binding in bindings)
            {
                if (!_byExtension.TryGetValue(binding.ExtensionId, out var list))
                {
                    list = [];
                    _byExtension[binding.ExtensionId] = list;
                }

                list.Add(binding);
                _count++;
            }
        }
    }

    /// <summary>Contact: * with Expires: 0 (RFC 3261 section 10.3 step 6): removes every binding, unless one is newer in the same Call-ID.</summary>
    public BindingUpdateResult RemoveAll(RegisterSource source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_gate)
        {
            var list = DropExpired(source.ExtensionId, now);
            if (list.Exists(b => IsOutOfOrder(b, source)))
            {
                return BindingUpdateResult.OutOfOrder;
            }

            var removed = list.Count;
            _count -= removed;
            list.Clear();
            Forget(source.ExtensionId, list);
            return new BindingUpdateResult(BindingUpdateStatus.Ok, [], 0, removed, 0);
        }
    }

    /// <summary>
    /// Drops the bindings that came over a connection-oriented flow which has closed: nothing can reach the phone
    /// through it any more (RFC 5626 section 5.3). UDP flows never close; for them this does nothing. Returns how many
    /// bindings went and the extensions that lost one (their shared bindings change: docs/scale-out.md, "Calls across nodes").
    /// </summary>
    public (int Removed, IReadOnlyList<long> Extensions) RemoveFlow(SipFlow flow)
    {
        if (!flow.IsReliable)
        {
            return (0, []);
        }

        lock (_gate)
        {
            var total = 0;
            var touched = new List<long>();
            foreach (var (id, list) in _byExtension.ToArray())
            {
                var removed = list.RemoveAll(b => b.Flow == flow);
                if (removed > 0)
                {
                    total += removed;
                    touched.Add(id);
                    Forget(id, list);
                }
            }

            _count -= total;
            return (total, touched);
        }
    }

    /// <summary>
    /// This node's own unexpired binding over a TCP, TLS or WebSocket connection whose contact is <paramref name="target"/>:
    /// what the hop between nodes may reach, and nothing else (never a UDP binding, never one another node shared).
    /// </summary>
    public ContactBinding? FindHeldConnection(SipUri target, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(target);
        return FindHeld(b => b.Contact.Equals(target), now);
    }

    /// <summary>This node's own unexpired binding on connection <paramref name="connectionId"/>, if one still is.</summary>
    public ContactBinding? FindHeldConnection(long connectionId, DateTimeOffset now) =>
        connectionId == 0 ? null : FindHeld(b => b.Flow.ConnectionId == connectionId, now);

    private ContactBinding? FindHeld(Predicate<ContactBinding> match, DateTimeOffset now)
    {
        lock (_gate)
        {
            foreach (var list in _byExtension.Values)
            {
                foreach (var b in list)
                {
                    if (b.Flow.IsReliable && b.ExpiresAt > now && match(b))
                    {
                        return b;
                    }
                }
            }

            return null;
        }
    }

    /// <summary>Drops every expired binding; the host calls it now and then so quiet extensions do not hold memory.</summary>
    public int Sweep(DateTimeOffset now)
    {
        lock (_gate)
        {
            foreach (var (id, byNode) in _remote.ToArray())
            {
                foreach (var (node, shared) in byNode.ToArray())
                {
                    if (Array.TrueForAll(shared, b => b.ExpiresAt <= now))
                    {
                        byNode.Remove(node);
                    }
                }

                if (byNode.Count == 0)
                {
                    _remote.Remove(id);
                }
            }
        }

        return RemoveWhere(b => b.ExpiresAt <= now);
    }

    private int RemoveWhere(Predicate<ContactBinding> doomed)
    {
        lock (_gate)
        {
            var total = 0;
            foreach (var (id, list) in _byExtension.ToArray())
            {
                total += list.RemoveAll(doomed);
                Forget(id, list);
            }

            _count -= total;
            return total;
        }
    }

    /// <summary>RFC 3261 section 10.3 step 7: a request of the same Call-ID must carry a higher CSeq than the binding it changes.</summary>
    private static bool IsOutOfOrder(ContactBinding binding, RegisterSource source) =>
        string.Equals(binding.CallId, source.CallId, StringComparison.Ordinal) && source.CSeq <= binding.CSeq;

    private static ContactBinding[] Current(List<ContactBinding> list, DateTimeOffset now) => [.. list.Where(b => b.ExpiresAt > now)];

    private List<ContactBinding> DropExpired(long extensionId, DateTimeOffset now)
    {
        if (!_byExtension.TryGetValue(extensionId, out var list))
        {
            list = [];
            _byExtension[extensionId] = list;
        }

        _count -= list.RemoveAll(b => b.ExpiresAt <= now);
        return list;
    }

    private void Forget(long extensionId, List<ContactBinding> list)
    {
        if (list.Count == 0)
        {
            _byExtension.Remove(extensionId);
        }
    }
}
