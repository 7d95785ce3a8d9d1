using Switchboard.Pbx.Security;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

/// <summary>An in-process PBX for a test: ephemeral ports, no demo, example.com, a lockout after three wrong passwords.</summary>
internal static class TestHostOptions
{
    public static PbxHostOptions For(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        HttpPort = 0,
        HttpsPort = 0,
        Sip = SipHostOptions.Ephemeral,
        SeedDemo = false,
        DefaultDomain = "example.com",
        Security = new SecurityOptions { AccountFailureLimit = 3, AddressFailureLimit = 1000 },
    };
}
