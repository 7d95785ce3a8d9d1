namespace Switchboard.MediaLoad.Pump;

/// <summary>What every stream does now, set by the run and read by the pump threads on each packet.</summary>
internal sealed class LoadPhase
{
    private volatile bool _sending = true;
    private volatile bool _measuring;

    /// <summary>False once the hold window is over: streams fall silent before the calls hang up.</summary>
    public bool Sending
    {
        get => _sending;
        set => _sending = value;
    }

    /// <summary>True during the hold window: packets sent now are flagged and counted.</summary>
    public bool Measuring
    {
        get => _measuring;
        set => _measuring = value;
    }
}
