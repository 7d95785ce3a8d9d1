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
    bool KeepData);
