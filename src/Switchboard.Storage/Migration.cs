namespace Switchboard.Storage;

/// <summary>One step of the schema's history: both engines number the same change the same way.</summary>
internal sealed record Migration(int Version, string Sql);
