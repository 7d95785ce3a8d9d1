namespace Switchboard.Pbx.Tokens;

/// <summary>The web origins (<c>https://shop.example</c>) allowed to embed a domain's calls in their pages (docs/widget.md).</summary>
public interface IWebOriginStore
{
    /// <returns>false if the origin was allowed already.</returns>
    /// <exception cref="Directory.DirectoryConflictException">The domain does not exist.</exception>
    Task<bool> AddOriginAsync(string domain, string origin, CancellationToken ct = default);

    /// <returns>false if the origin was not allowed.</returns>
    Task<bool> RemoveOriginAsync(string domain, string origin, CancellationToken ct = default);

    Task<IReadOnlyList<string>> ListOriginsAsync(string domain, CancellationToken ct = default);
}
