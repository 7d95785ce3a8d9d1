namespace Switchboard.Pbx.Directory;

/// <summary>A tenant of the PBX: extensions are numbered within a domain.</summary>
public sealed record Domain(long Id, string Name, DateTimeOffset CreatedAt);
