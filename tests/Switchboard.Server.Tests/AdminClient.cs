using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Switchboard.Server.Tests;

/// <summary>An administrator logged in to the admin API (docs/admin.md) as the portal is: session cookie and CSRF token.</summary>
internal sealed record AdminClient(HttpClient Http, string Csrf) : IDisposable
{
    /// <summary>Logs in; <see cref="Csrf"/> is empty for an account that is not an admin (the session route refuses it).</summary>
    public static async Task<AdminClient> LogInAsync(Uri server, string account, string password)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server };
        var login = await http.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account, password, remember = true });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var session = await http.GetAsync(new Uri("api/admin/session", UriKind.Relative));
        var csrf = session.IsSuccessStatusCode ? (await Json(session)).GetProperty("csrfToken").GetString()! : "";
        return new AdminClient(http, csrf);
    }

    public Task<HttpResponseMessage> SendAsync(string method, string path, object? body = null, bool withToken = true, string? token = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (withToken)
        {
            request.Headers.Add("X-CSRF-Token", token ?? Csrf);
        }

        return Http.SendAsync(request);
    }

    /// <summary>Sends, checks the status, and returns the JSON answer (an empty object for none).</summary>
    public async Task<JsonElement> ExpectAsync(HttpStatusCode status, string method, string path, object? body = null)
    {
        var response = await SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone();
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static async Task<string> ErrorOf(HttpResponseMessage response) => (await Json(response)).GetProperty("error").GetString()!;

    public void Dispose() => Http.Dispose();
}
