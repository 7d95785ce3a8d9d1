namespace Switchboard.Pbx.Directory;

/// <summary>
/// A number that changes whenever domains or extensions change, whichever process changed them (the admin CLI runs
/// beside the server on the same database). <see cref="CachedDirectoryStore"/> reads it to know when to forget.
/// </summary>
public interface IDirectoryVersion
{
    ValueTask<long> ReadVersionAsync(CancellationToken ct = default);
}
