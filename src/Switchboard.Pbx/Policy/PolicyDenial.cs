namespace Switchboard.Pbx.Policy;

/// <summary>Why a call was refused before it reached a trunk; each is counted (<see cref="PolicyCounters"/>).</summary>
public enum PolicyDenial
{
    ClassNotAllowed,
    NotOnAllowList,
    ExtensionConcurrent,
    DomainConcurrent,
    ExtensionPerMinute,
    DomainPerMinute,
}
