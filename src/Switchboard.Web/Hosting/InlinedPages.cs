namespace Switchboard.Web.Hosting;

/// <summary>The pages served with their assets inside them (<see cref="InlinedPage"/>), by request path; each read once, at first use.</summary>
public sealed class InlinedPages
{
    private readonly Dictionary<string, Lazy<InlinedPage>> _pages;

    /// <param name="webRoot">The folder the pages and their files are in.</param>
    /// <param name="files">The page files, each served at <c>/</c> + its name.</param>
    public InlinedPages(string webRoot, params string[] files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _pages = files.ToDictionary(f => "/" + f, f => new Lazy<InlinedPage>(() => InlinedPage.Load(webRoot, f)), StringComparer.Ordinal);
    }

    /// <summary>The page served at <paramref name="path"/>, or null when that path is no such page.</summary>
    public InlinedPage? Find(string? path) => path is not null && _pages.TryGetValue(path, out var page) ? page.Value : null;

    public InlinedPage Get(string path) => Find(path) ?? throw new KeyNotFoundException(path);
}
