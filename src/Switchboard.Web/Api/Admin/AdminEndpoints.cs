using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// The administrators' JSON API under <c>/api/admin</c> (docs/admin.md), which the <c>/admin</c> portal uses. Every
/// route passes <see cref="AdminGate"/> (session, role, CSRF) and the authentication paths' rate limit; an admin
/// sees and changes only its own domain, a system admin any.
/// </summary>
internal static partial class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireRateLimiting(AuthEndpoints.RateLimitPolicy).AddEndpointFilter(AdminGate.CheckAsync);
        admin.MapGet("/session", GetSessionAsync);
        admin.MapGet("/overview", GetOverviewAsync);
        admin.MapGet("/calls", ListCallsAsync);
        admin.MapGet("/calls.csv", ExportCallsAsync);
        admin.MapGet("/extensions", ListExtensionsAsync);
        admin.MapPost("/extensions", AddExtensionAsync);
        admin.MapPatch("/extensions/{domain}/{number}", ChangeExtensionAsync);
        admin.MapDelete("/extensions/{domain}/{number}", DeleteExtensionAsync);
        admin.MapPost("/links", MakeLinkAsync);
        admin.MapGet("/live", ListLiveCallsAsync);
        admin.MapPost("/live/{callId}/hangup", HangUpAsync);
        admin.MapGet("/registrations", ListRegistrationsAsync);
        admin.MapGet("/trunks", ListTrunksAsync);
        admin.MapPost("/trunks", AddTrunkAsync);
        admin.MapDelete("/trunks/{domain}/{name}", RemoveTrunkAsync);
        admin.MapPost("/trunks/{domain}/{name}/test", TestTrunkAsync);
        admin.MapGet("/allowlist", ListAllowListAsync);
        admin.MapPost("/allowlist", AddAllowListAsync);
        admin.MapDelete("/allowlist/{domain}/{pattern}", RemoveAllowListAsync);
        admin.MapGet("/dialrules", ListDialRulesAsync);
        admin.MapPost("/dialrules", AddDialRuleAsync);
        admin.MapPut("/dialrules/{domain}/{id:long}", ChangeDialRuleAsync);
        admin.MapDelete("/dialrules/{domain}/{id:long}", RemoveDialRuleAsync);
        admin.MapGet("/permissions", ListPermissionsAsync);
        admin.MapPut("/permissions/{domain}/{number}", SetPermissionsAsync);
        admin.MapDelete("/permissions/{domain}/{number}", ResetPermissionsAsync);
        admin.MapGet("/limits", ListLimitsAsync);
        admin.MapPut("/limits/{domain}", SetDomainLimitsAsync);
        admin.MapPut("/limits/{domain}/{number}", SetLimitsAsync);
        admin.MapDelete("/limits/{domain}", ResetDomainLimitsAsync);
        admin.MapDelete("/limits/{domain}/{number}", ResetLimitsAsync);
        admin.MapGet("/numberclasses", ListNumberClassesAsync);
        admin.MapPut("/numberclasses/{domain}/{numberClass}", SetNumberClassAsync);
        admin.MapDelete("/numberclasses/{domain}/{numberClass}", ResetNumberClassAsync);
        admin.MapGet("/ivr", GetIvr);
        admin.MapPost("/ivr/reload", ReloadIvr);
    }

    private static IResult OtherDomain() => Results.Json(new ErrorReply("other_domain"), statusCode: StatusCodes.Status403Forbidden);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
