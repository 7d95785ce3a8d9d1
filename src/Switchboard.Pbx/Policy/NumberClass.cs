namespace Switchboard.Pbx.Policy;

/// <summary>What kind of number a dial string is, which decides who may dial it (docs/dialplan.md).</summary>
public enum NumberClass
{
    /// <summary>An extension or a built-in service of the caller's domain.</summary>
    Internal,

    /// <summary>Never refused by class or limits.</summary>
    Emergency,

    TollFree,
    National,
    International,
    Premium,
}
