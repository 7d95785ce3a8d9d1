using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Sip;

/// <summary>The registrar, its authenticator and the location service, as the endpoint and the call engine see them.</summary>
public sealed class RegistrarSipServices(Registrar.Registrar registrar, SipRequestAuthenticator authenticator, LocationService locations, TimeProvider time)
    : ISipRegistrar, ISipAuthenticator, ISipLocations
{
    public Task<SipResponse> HandleRegisterAsync(SipRequest request, SipFlow flow, CancellationToken ct) =>
        registrar.HandleRegisterAsync(request, flow, ct);

    public async Task<SipAuthDecision> AuthenticateAsync(SipRequest request, SipFlow flow, CancellationToken ct) =>
        await authenticator.AuthenticateAsync(request, flow, ct) switch
        {
            SipAuthResult.Authenticated ok => new SipAuthDecision(ok.Extension, null),
            var refused => new SipAuthDecision(null, refused.Response),
        };

    public IReadOnlyList<SipContact> Lookup(long extensionId) =>
        locations.Lookup(extensionId, time.GetUtcNow()).Select(b => new SipContact(b.Contact, b.Flow, b.Path)).ToArray();

    public void OnFlowClosed(SipFlow flow) => registrar.OnFlowClosed(flow);
}
