namespace Switchboard.Pbx;

/// <summary>Who this PBX is: the domain that bare extension numbers belong to.</summary>
public sealed record PbxIdentity(string DefaultDomain);
