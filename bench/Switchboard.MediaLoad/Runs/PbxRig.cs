using Switchboard.MediaLoad.Pump;
using Switchboard.MediaLoad.Sip;
using Switchboard.MediaLoad.WebRtc;
using Switchboard.SipLoad;

namespace Switchboard.MediaLoad.Runs;

/// <summary>
/// The PBX as a process with everything a run drives it with: the generator's pumps, phone A (the caller's SIP
/// socket), the callees' phone farm (registered), the web API, and the two SIP receive loops. Disposed in reverse:
/// loops stopped, sockets closed, then the PBX stopped cleanly by its PID (its last records flushed).
/// </summary>
internal sealed class PbxRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _loops;

    private PbxRig(PbxProcess pbx, PumpSet pumps, SipPhone calleePhone, SipPhone callerPhone, WebApi web, CancellationToken ct)
    {
        Pbx = pbx;
        Pumps = pumps;
        CalleePhone = calleePhone;
        CallerPhone = callerPhone;
        Web = web;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _loops = Task.WhenAll(Task.Run(() => calleePhone.ReceiveLoopAsync(_stop.Token), _stop.Token), Task.Run(() => callerPhone.ReceiveLoopAsync(_stop.Token), _stop.Token));
        Farm = new PhoneFarm(calleePhone, pumps, Scenarios.Domain, Scenarios.SipPassword);
    }

    public PbxProcess Pbx { get; }

    public PumpSet Pumps { get; }

    public SipPhone CalleePhone { get; }

    public SipPhone CallerPhone { get; }

    public WebApi Web { get; }

    public PhoneFarm Farm { get; }

    /// <summary>Starts the PBX on the provisioned data folder and registers every callee.</summary>
    public static async Task<PbxRig> StartAsync(MediaLoadOptions options, string data, IReadOnlyList<string> callees, CancellationToken ct)
    {
        var pbx = await PbxProcess.StartAsync(options.ServerDll, data, Scenarios.Domain, options.MediaPorts, ct);
        Console.WriteLine($"PBX pid {pbx.Pid}, SIP {pbx.Sip}, HTTP {pbx.Http}, log {pbx.LogPath}");
        var rig = new PbxRig(pbx, new PumpSet(options.PumpThreads, new LoadPhase()), new SipPhone(pbx.Sip), new SipPhone(pbx.Sip), new WebApi(pbx.Http), ct);
        try
        {
            if (await rig.Farm.RegisterAsync(callees, ct) is { } failure)
            {
                throw new InvalidOperationException(failure);
            }

            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loops;
        _stop.Dispose();
        Web.Dispose();
        CallerPhone.Dispose();
        CalleePhone.Dispose();
        Pumps.Dispose();
        await Pbx.DisposeAsync();
    }
}
