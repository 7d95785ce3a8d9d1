namespace Switchboard.SipLoad;

/// <summary>What one run does; see <see cref="Program"/> for the command-line options that fill it.</summary>
internal sealed record LoadOptions(
    IReadOnlyList<int> Rates,
    TimeSpan Window,
    int Extensions,
    int CallsPerExtension,
    int Sockets,
    TimeSpan StepTimeout,
    TimeSpan Warmup,
    int WarmupRate,
    string ServerDll,
    string MediaPorts,
    TimeSpan Deadline,
    bool KeepData);
