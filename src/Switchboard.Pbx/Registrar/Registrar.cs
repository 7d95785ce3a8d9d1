using System.Globalization;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Cluster;
using Switchboard.Pbx.Directory;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Registrar;

/// <summary>
/// The registrar of RFC 3261 section 10.3: authenticates a REGISTER, checks its To against the directory, settles
/// each contact's expiry within <see cref="RegistrarOptions"/>, and updates the <see cref="LocationService"/> all or
/// nothing. The flow the REGISTER came on is stored with each binding so requests reach the phone through it.
/// </summary>
public sealed class Registrar
{
    private const string InstanceParameter = "+sip.instance";
    private const string RegIdParameter = "reg-id";

    private readonly SipRequestAuthenticator _authenticator;
    private readonly LocationService _location;
    private readonly RegistrarOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Registrar> _log;
    private readonly IRegistrationStore? _store;
    private readonly ISharedRegistrations? _shared;
    private readonly ClusterNodes? _cluster;

    public Registrar(SipRequestAuthenticator authenticator, LocationService location, RegistrarOptions options, TimeProvider time, ILogger<Registrar> log,
        IRegistrationStore? store = null, ISharedRegistrations? shared = null, ClusterNodes? cluster = null)
    {
        _cluster = cluster;
        _store = store;
        _shared = shared;
        _authenticator = authenticator;
        _location = location;
        _options = options;
        _time = time;
        _log = log;
    }

    public async Task<SipResponse> HandleRegisterAsync(SipRequest request, SipFlow flow, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method != SipMethod.Register)
        {
            throw new ArgumentException("Not a REGISTER.", nameof(request));
        }

        // Step 5, before authentication only for what no extension can be: an unknown number of a served domain is
        // challenged like any other and then fails authentication, so REGISTER does not tell which numbers exist.
        if (!Names.IsExtensionNumber(request.To.Uri.User))
        {
            return Refuse(request, flow, 404, "Not Found");
        }

        // Steps 3 and 4: the digest username must be the To user (checked by the authenticator).
        var auth = await _authenticator.AuthenticateAsync(request, flow, ct);
        if (auth is not SipAuthResult.Authenticated { Extension: var extension })
        {
            if (auth is SipAuthResult.Throttled throttled)
            {
                RegistrarLog.Throttled(_log, flow.Remote, throttled.RetryAfter);
            }

            return auth.Response!;
        }

        var now = _time.GetUtcNow();
        // RFC 3327 section 5.3: the Path a proxy in front (Kamailio's add_path) put in is stored with the contacts and
        // becomes the Route set of requests to them, so they pass the proxy that can reach the phone.
        var path = request.GetHeaderValues("Path");
        var source = new RegisterSource(extension.Id, flow, request.CallId, request.CSeq.Number, request.GetHeaderValue(SipHeaderId.UserAgent),
            path.Count == 0 ? null : [.. path]);
        var account = extension.Account;

        // Step 6: Contact: * must stand alone, with Expires: 0.
        if (request.IsContactWildcard)
        {
            if (request.Expires != 0 || request.GetHeaderValues("Contact").Count != 1)
            {
                return Refuse(request, flow, 400, "Contact * needs Expires: 0 and no other contact");
            }

            var cleared = _location.RemoveAll(source, now);
            if (!cleared.IsOk)
            {
                return Refuse(request, flow, 500, "Out of order request");
            }

            RegistrarLog.RemovedAll(_log, account, flow.Remote, cleared.Removed);
            Persist(extension.Id, cleared.Bindings);
            return Accept(request, cleared.Bindings, now);
        }

        // Step 8 without contacts: a query for the current bindings.
        if (request.Contacts.Count == 0)
        {
            return Accept(request, _location.LookupOwn(extension.Id, now), now);
        }

        var updates = new List<BindingUpdate>(request.Contacts.Count);
        foreach (var contact in request.Contacts)
        {
            if (!contact.Uri.IsSip)
            {
                return Refuse(request, flow, 400, "Contact must be a SIP URI");
            }

            if (!TryGetExpires(contact, request.Expires, out var seconds))
            {
                return Refuse(request, flow, 400, "Bad expires parameter");
            }

            if (seconds != 0 && seconds < _options.MinExpires.TotalSeconds)
            {
                return TooBrief(request, flow);
            }

            var granted = TimeSpan.FromSeconds(Math.Min(seconds, _options.MaxExpires.TotalSeconds));
            updates.Add(new BindingUpdate(contact.Uri, granted, InstanceId(contact), RegId(contact)));
        }

        // Step 7, all or nothing.
        var result = _location.Apply(source, updates, _options.MaxContactsPerExtension, now);
        if (!result.IsOk)
        {
            return Refuse(request, flow, 500, "Out of order request");
        }

        if (result.Evicted > 0)
        {
            RegistrarLog.Evicted(_log, account, result.Evicted, _options.MaxContactsPerExtension);
        }

        if (result.Removed > 0)
        {
            RegistrarLog.Removed(_log, account, flow.Remote, result.Removed, result.Bindings.Count);
        }

        if (updates.Exists(u => u.Expires > TimeSpan.Zero))
        {
            var longest = (long)updates.Max(u => u.Expires).TotalSeconds;
            RegistrarLog.Registered(_log, account, flow.Remote, result.Added, result.Bindings.Count, longest);
        }

        Persist(extension.Id, result.Bindings);
        return Accept(request, result.Bindings, now);
    }

    /// <summary>
    /// Hands the extension's bindings to the store, the UDP ones only: a TCP, TLS or WebSocket binding is its connection,
    /// which cannot outlive this process, so after a restart the phone must register again anyway (and does, once it sees
    /// the connection drop). Refreshes are written too: they move the expiry.
    /// </summary>
    private void Persist(long extensionId, IReadOnlyList<ContactBinding> bindings)
    {
        ContactBinding[] udp = [.. bindings.Where(b => !b.Flow.IsReliable)];
        _store?.Save(extensionId, udp);
        // The other nodes reach a UDP address from their own sockets, and a connection held here through this node's hop
        // (docs/scale-out.md, "Calls across nodes").
        _shared?.Publish(extensionId, HopBindings.ForSharing(bindings, _cluster?.Own));
    }

    /// <summary>The transport reports a closed connection: its bindings can no longer reach the phone.</summary>
    public int OnFlowClosed(SipFlow flow)
    {
        var (removed, touched) = _location.RemoveFlow(flow);
        if (removed > 0)
        {
            RegistrarLog.FlowClosed(_log, flow, removed);
            if (_shared is not null)
            {
                // The other nodes must stop sending this phone's calls here.
                var now = _time.GetUtcNow();
                foreach (var id in touched)
                {
                    _shared.Publish(id, HopBindings.ForSharing(_location.LookupOwn(id, now), _cluster?.Own));
                }
            }
        }

        return removed;
    }

    /// <summary>RFC 3261 section 10.2.1.1: the contact's expires parameter, else the Expires header, else the default.</summary>
    private bool TryGetExpires(SipNameAddress contact, uint? header, out double seconds)
    {
        var text = contact.Parameters.Get("expires");
        if (text is null)
        {
            seconds = header ?? _options.DefaultExpires.TotalSeconds;
            return true;
        }

        var ok = uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value);
        seconds = value;
        return ok;
    }

    private static string? InstanceId(SipNameAddress contact) =>
        contact.Parameters.Get(InstanceParameter) is { Length: > 0 } v ? v.Trim('"') : null;

    private static int? RegId(SipNameAddress contact) =>
        int.TryParse(contact.Parameters.Get(RegIdParameter), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>Step 8: 200 listing every current binding with its remaining expiry, and the registrar's Date.</summary>
    private static SipResponse Accept(SipRequest request, IReadOnlyList<ContactBinding> bindings, DateTimeOffset now)
    {
        var b = SipMessageFactory.CreateResponse(request, 200, "OK", SipIds.NewTag());
        foreach (var binding in bindings)
        {
            b.AddHeader(SipHeaderId.Contact, FormatContact(binding, now));
        }

        // RFC 3327 section 5.3: a UA that said it supports Path learns the Path that was stored.
        if (request.GetHeaderValues("Supported").Any(v => v.Split(',').Any(o => o.Trim().Equals("path", StringComparison.OrdinalIgnoreCase))))
        {
            foreach (var path in request.GetHeaderValues("Path"))
            {
                b.AddHeader("Path", path);
            }
        }

        b.AddHeader(SipHeaderId.Date, now.ToString("r", CultureInfo.InvariantCulture));
        return b.BuildResponse();
    }

    private static string FormatContact(ContactBinding binding, DateTimeOffset now)
    {
        var text = $"<{binding.Contact}>;expires={binding.SecondsLeft(now).ToString(CultureInfo.InvariantCulture)}";
        if (binding.InstanceId is not null)
        {
            text += $";{InstanceParameter}=\"{binding.InstanceId}\"";
        }

        if (binding.RegId is { } regId)
        {
            text += $";{RegIdParameter}={regId.ToString(CultureInfo.InvariantCulture)}";
        }

        return text;
    }

    private SipResponse TooBrief(SipRequest request, SipFlow flow)
    {
        RegistrarLog.Refused(_log, flow.Remote, 423, "Interval Too Brief");
        var min = ((long)_options.MinExpires.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return SipMessageFactory.CreateResponse(request, 423, "Interval Too Brief", SipIds.NewTag())
            .AddHeader(SipHeaderId.MinExpires, min)
            .BuildResponse();
    }

    private SipResponse Refuse(SipRequest request, SipFlow flow, int status, string reason)
    {
        RegistrarLog.Refused(_log, flow.Remote, status, reason);
        return SipMessageFactory.CreateResponse(request, status, reason, SipIds.NewTag()).BuildResponse();
    }
}
