using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Services;
using Switchboard.Storage;
using Switchboard.Web.Hosting;

using Switchboard.Server.Hosting;

namespace Switchboard.Server;

/// <summary>Everything the PBX process needs to start. Defaults give the embedded demo setup of the README.</summary>
public sealed record PbxHostOptions
{
    public required string DataDirectory { get; init; }

    /// <summary>A PostgreSQL connection string shared by the nodes (docs/scale-out.md); null keeps the SQLite file in the data folder.</summary>
    public string? Store { get; init; }

    /// <summary>
    /// A StackExchange.Redis configuration string (<c>127.0.0.1:6379</c>) of the Redis the nodes share for lockouts and
    /// call limits (docs/scale-out.md, "Redis"); null keeps them in this process only.
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>The address the web ports bind to. Loopback by default: expose the PBX on purpose, with <c>--bind 0.0.0.0</c>.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int HttpPort { get; init; } = 8080;

    public int HttpsPort { get; init; } = 8443;

    /// <summary>On first start (no domain yet), create <see cref="DefaultDomain"/> with extensions 100 and 101.</summary>
    public bool SeedDemo { get; init; } = true;

    /// <summary>The domain that a bare extension number (<c>100</c>) belongs to.</summary>
    public string DefaultDomain { get; init; } = "demo.local";

    /// <summary>The demo extensions' web password; random (and printed once) when not set.</summary>
    public string? DemoWebPassword { get; init; }

    /// <summary>A PEM certificate or a PFX file to serve HTTPS with, instead of the self-signed one.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The PEM private key, when <see cref="CertificatePath"/> is a PEM certificate.</summary>
    public string? CertificateKeyPath { get; init; }

    public string? CertificatePassword { get; init; }

    public SecurityOptions Security { get; init; } = new();

    /// <summary>Media ports and addresses; by default on <see cref="BindAddress"/> (docs/media.md).</summary>
    public MediaOptions? Media { get; init; }

    /// <summary>Media shards: loops, each on its own thread, that own calls' media legs (docs/media.md, "Call shards"). Default: one per core.</summary>
    public int MediaShards { get; init; } = Environment.ProcessorCount;

    public ServiceOptions Services { get; init; } = new();

    public WebOptions Web { get; init; } = new();

    /// <summary>SIP transports, registrar and call timers.</summary>
    public SipHostOptions Sip { get; init; } = new();

    /// <summary>Where first-start credentials are printed (once; never to the log).</summary>
    public TextWriter? Console { get; init; }

    /// <summary>How long call records are kept before the hourly purge deletes them; zero keeps them for ever.</summary>
    public TimeSpan CallRecordRetention { get; init; } = TimeSpan.FromDays(365);

    /// <summary>How call records are grouped into transactions; <c>--record-flush</c> sets the interval (docs/call-records.md, "Durability").</summary>
    public CallRecordBatching CallRecords { get; init; } = new();

    /// <summary>Bounds of the in-memory directory and SIP password cache (docs/security.md, "Directory cache").</summary>
    public Pbx.Directory.DirectoryCacheOptions DirectoryCache { get; init; } = new();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>More log sinks beside the console, e.g. a test's in-memory log that it prints when it fails.</summary>
    public IReadOnlyList<Microsoft.Extensions.Logging.ILoggerProvider> LoggerProviders { get; init; } = [];
}
