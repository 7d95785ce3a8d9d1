namespace Switchboard.Web.Hosting;

/// <summary>Settings of the web side that are not about authentication (those are in <see cref="Pbx.Security.SecurityOptions"/>).</summary>
public sealed record WebOptions
{
    /// <summary>The folder with makecall.htm, its assets and the translation files.</summary>
    public string WebRoot { get; init; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>The interval of the PBX's keep-alive pings on the call socket.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A call socket silent for this long is taken as gone, and its call hung up.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// How long a call whose socket dropped without <c>ended</c> waits for the page to resume it
    /// (<c>/api/call?resume=TOKEN</c>) before it is hung up as <c>hangup</c>.
    /// </summary>
    public TimeSpan ResumeGrace { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests per minute one client address may make to the authentication endpoints, before any credential is looked at.</summary>
    public int AuthRequestsPerMinute { get; init; } = 300;

    /// <summary>Requests per minute one client address may make to <c>POST /api/tokens</c>, before its API key is looked at.</summary>
    public int TokenRequestsPerMinute { get; init; } = 120;

    /// <summary>Tokens one API key may mint per minute (docs/tokens.md): a leaked key mints no more than this.</summary>
    public int TokenMintsPerKeyPerMinute { get; init; } = 60;

    /// <summary>
    /// The PBX's address as visitors reach it, for the <c>url</c> that <c>POST /api/tokens</c> returns; null for the
    /// address the backend's request came to.
    /// </summary>
    public Uri? PublicUrl { get; init; }
}
