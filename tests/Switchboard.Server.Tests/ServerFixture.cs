using Switchboard.Server.Hosting;
using Switchboard.Pbx.Security;

namespace Switchboard.Server.Tests;

/// <summary>A real PBX on loopback with ephemeral ports and its own data folder.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string Password = "correct horse";
    private readonly string _data = Directory.CreateTempSubdirectory("sb-server-").FullName;

    public PbxHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await PbxHost.StartAsync(new PbxHostOptions
        {
            DataDirectory = _data,
            HttpPort = 0,
            HttpsPort = 0,
            Sip = SipHostOptions.Ephemeral,
            SeedDemo = true,
            DemoWebPassword = Password,
            Security = new SecurityOptions { AccountFailureLimit = 3, AddressFailureLimit = 1000 },
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
