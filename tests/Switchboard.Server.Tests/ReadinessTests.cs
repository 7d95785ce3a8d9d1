using System.Net;
using System.Text.Json;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

/// <summary>
/// <c>/readyz</c> on a real server (docs/configuration.md, "Health"): 200 while the store answers and the ports are
/// bound; 503 naming the store while its folder is gone (as when a disk is unmounted), and 200 again once it is back.
/// <c>/healthz</c> says alive throughout.
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime, IDisposable
{
    private readonly TempDataFolder _data = new("sb-ready-");
    private PbxHost _host = null!;

    public async Task InitializeAsync() => _host = await PbxHost.StartAsync(TestHostOptions.For(_data.Path));

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    /// <summary>After <see cref="DisposeAsync"/> (xunit's order): the folder goes once the server has let go of it.</summary>
    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Ready_when_up_not_ready_naming_the_store_while_its_folder_is_gone_and_ready_again_after()
    {
        using var http = new HttpClient { BaseAddress = _host.HttpUrl };
        var (status, body) = await ReadyzAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        foreach (var check in new[] { "store", "sip", "media", "calls" })
        {
            Assert.Equal("ok", body.GetProperty("checks").GetProperty(check).GetString());
        }

        Assert.Equal(0, body.GetProperty("failed").GetArrayLength());

        var moved = _data.Path + "-away";
        Directory.Move(_data.Path, moved);
        try
        {
            (status, body) = await ReadyzAsync(http);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("not_ready", body.GetProperty("status").GetString());
            Assert.Equal(["store"], body.GetProperty("failed").EnumerateArray().Select(e => e.GetString()!).ToArray());
            Assert.Equal("unreachable", body.GetProperty("checks").GetProperty("store").GetString());
            Assert.Equal("ok", body.GetProperty("checks").GetProperty("sip").GetString());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode);

            // The probe opens the file without creating it: no empty database was left where the folder was.
            Assert.False(Directory.Exists(_data.Path));
        }
        finally
        {
            Directory.Move(moved, _data.Path);
        }

        (status, body) = await ReadyzAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyzAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative));
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
