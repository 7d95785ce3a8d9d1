namespace Switchboard.SipLoad;

/// <summary>What one run does; see <see cref="Program"/> for the command-line options that fill it.</summary>
internal sealed record LoadOptions(
    IReadOnlyList<int> Rates,
    TimeSpan Window,
    TimeSpan Hold,
    int Callees,
    bool Pbx,
    KamailioSettings? Kamailio,
    TimeSpan RecvTimeout,
    int MaxInFlight,
    TimeSpan Warmup,
    int WarmupRate,
    string ServerDll,
    string SippExecutable,
    string Scenarios,
    string MediaPorts,
    TimeSpan Deadline,
    bool NoStop,
    bool KeepData)
{
    /// <summary>With <c>--targets cluster</c>: how many nodes behind the shipped dispatcher config; 0 runs no cluster.</summary>
    public int ClusterNodes { get; init; }

    /// <summary>Each cluster node's CPU quota in % of one core (a control group per node); 0: none.</summary>
    public int NodeCpuQuota { get; init; }

    /// <summary>
    /// With <c>--cluster-store shared</c>: the nodes share one PostgreSQL and one Redis, callees register through the
    /// proxy, and a call may cross nodes; otherwise each node has its own SQLite and every callee registers with each.
    /// </summary>
    public bool SharedStore { get; init; }
}
