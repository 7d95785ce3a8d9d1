using System.Net;

namespace Switchboard.SipLoad;

/// <summary>A SIP server under load (the PBX, or Kamailio for comparison), started and stopped by this tool.</summary>
internal interface ILoadTarget : IAsyncDisposable
{
    /// <summary>"PBX" or "Kamailio": the first column of the report.</summary>
    string Name { get; }

    /// <summary>Where callers and callees send SIP over UDP.</summary>
    IPEndPoint Sip { get; }

    /// <summary>Where each callee registers (every node of a cluster: <see cref="ClusterTarget"/>); the server itself otherwise.</summary>
    IReadOnlyList<IPEndPoint> Registrars => [Sip];

    bool HasExited { get; }

    string LogPath { get; }

    /// <summary>The processes whose CPU time is the target's (read again each step: a server may fork).</summary>
    IReadOnlyList<int> CpuProcesses();

    /// <summary>Bytes the target has allocated since it started, when it says (the PBX's /metrics); null otherwise.</summary>
    Task<long?> AllocatedBytesAsync(CancellationToken ct);
}

/// <summary>The Switchboard server process as a load target.</summary>
internal sealed class PbxTarget(PbxProcess pbx) : ILoadTarget
{
    public string Name => "PBX";

    public IPEndPoint Sip => pbx.Sip;

    public bool HasExited => pbx.HasExited;

    public string LogPath => pbx.LogPath;

    public IReadOnlyList<int> CpuProcesses() => [pbx.Pid];

    public Task<long?> AllocatedBytesAsync(CancellationToken ct) => pbx.AllocatedBytesAsync(ct);

    public ValueTask DisposeAsync() => pbx.DisposeAsync();
}
