namespace Switchboard.MediaLoad.Runs;

/// <summary>What one invocation does; <see cref="Program"/> fills it from the command line.</summary>
internal sealed record MediaLoadOptions(
    IReadOnlyList<string> Modes,
    IReadOnlyList<int> Calls,
    double RampPerSecond,
    TimeSpan Hold,
    int PumpThreads,
    int Callees,
    string ServerDll,
    string MediaPorts,
    string RtpEngineBinary,
    string RtpEnginePorts,
    string? JsonPath,
    TimeSpan Deadline,
    bool KeepData);
