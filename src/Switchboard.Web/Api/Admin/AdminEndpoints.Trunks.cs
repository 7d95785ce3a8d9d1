using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Trunks;
using Switchboard.Sip.Transport;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// Trunks (docs/trunks.md): list with registration state, add, remove. The CLI's validation (<see cref="TrunkValidation"/>)
/// and store; after a change the running trunk service reloads, so registrations start or stop without a restart.
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListTrunksAsync(HttpContext http, ITrunkStore store, TrunkService trunks, string? domain)
    {
        if (!AdminGate.Caller(http).TryScope(domain, out var scope))
        {
            return OtherDomain();
        }

        var list = await store.ListAsync(scope, http.RequestAborted);
        return Results.Ok(new TrunkListReply([.. list.Select(t => TrunkReply.Of(t, trunks))]));
    }

    private static async Task<IResult> AddTrunkAsync(HttpContext http, NewTrunkBody? body, ITrunkStore store, TrunkService trunks, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (body is null)
        {
            return BadField("body");
        }

        if (!caller.TryDomain(body.Domain, out var domain))
        {
            return OtherDomain();
        }

        if (!TrunkValidation.TryParseTransport(body.Transport ?? "udp", out var transport))
        {
            return BadField("transport");
        }

        if (string.IsNullOrEmpty(body.Password) || !Passwords.IsAcceptable(body.Password))
        {
            return BadField("password");
        }

        var candidate = new Trunk(0, domain, body.Name ?? "", body.Proxy ?? "", transport, body.Username ?? "", body.Register ?? true, 0,
            Blank(body.CarrierDomain), Blank(body.FromUser), Blank(body.AssertedIdentity), body.Dids);
        if (TrunkValidation.Check(candidate) is { } problem)
        {
            return BadInput(problem);
        }

        try
        {
            var added = await store.AddAsync(candidate, body.Password, http.RequestAborted);
            await trunks.ReloadAsync(http.RequestAborted);
            LogTrunk(log, caller.Extension.Account, "added", added.Name, added.Domain);
            return Results.Json(TrunkReply.Of(added, trunks), statusCode: StatusCodes.Status201Created);
        }
        catch (DirectoryConflictException)
        {
            return Results.Conflict(new ErrorReply("exists"));
        }
    }

    private static async Task<IResult> RemoveTrunkAsync(HttpContext http, string domain, string name, ITrunkStore store, TrunkService trunks,
        ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        if (!await store.RemoveAsync(scoped, name, http.RequestAborted))
        {
            return Results.NotFound(new ErrorReply("no_such_trunk"));
        }

        await trunks.ReloadAsync(http.RequestAborted);
        LogTrunk(log, caller.Extension.Account, "removed", name, scoped);
        return Results.NoContent();
    }

    /// <summary>
    /// The portal's test: the trunk's next REGISTER goes out now instead of at its time; the list then shows the
    /// carrier's answer (<see cref="TrunkRegistrationReply"/>) once it comes.
    /// </summary>
    private static async Task<IResult> TestTrunkAsync(HttpContext http, string domain, string name, ITrunkStore store, TrunkService trunks)
    {
        if (!AdminGate.Caller(http).TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        if ((await store.ListAsync(scoped, http.RequestAborted)).FirstOrDefault(t => t.Name == name) is not { } trunk)
        {
            return Results.NotFound(new ErrorReply("no_such_trunk"));
        }

        return trunks.RegisterNow(trunk.Id) ? Results.Accepted() : Results.Conflict(new ErrorReply("not_registering"));
    }

    [LoggerMessage(EventId = 3046, Level = LogLevel.Information, Message = "Admin {Admin} {What} trunk {Name} of {Domain}")]
    private static partial void LogTrunk(ILogger logger, string admin, string what, string name, string domain);
}

/// <param name="Registered">Whether its registration holds now; null for a trunk that does not register.</param>
/// <param name="Registration">The carrier's answer to the last REGISTER; null for a trunk that does not register, or before the first answer.</param>
public sealed record TrunkReply(string Domain, string Name, string Proxy, string Transport, string Username, bool Register, int Position,
    string? CarrierDomain, string? FromUser, string? AssertedIdentity, IReadOnlyDictionary<string, string> Dids, bool? Registered,
    TrunkRegistrationReply? Registration)
{
    public static TrunkReply Of(Trunk t, TrunkService running) => new(t.Domain, t.Name, t.Proxy, t.Transport.UriParameter(), t.Username, t.Register,
        t.Position, t.CarrierDomain, t.FromUser, t.AssertedIdentity, t.DidMap, t.Register ? running.IsRegistered(t.Id) ?? false : null,
        running.RegistrationState(t.Id) is { } state ? new TrunkRegistrationReply(state.Status, state.Reason, state.At) : null);
}

/// <param name="Status">The final SIP status; 408 when the carrier did not answer in time, 0 when nothing could be sent.</param>
public sealed record TrunkRegistrationReply(int Status, string? Reason, DateTimeOffset At);

public sealed record TrunkListReply(IReadOnlyList<TrunkReply> Trunks);

public sealed record NewTrunkBody(string? Domain, string? Name, string? Proxy, string? Transport, string? Username, string? Password, bool? Register,
    string? CarrierDomain, string? FromUser, string? AssertedIdentity, IReadOnlyDictionary<string, string>? Dids);
