using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Media.Shards;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Links;
using Switchboard.Pbx.Media;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sessions;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Registrar;
using Switchboard.Storage;
using Switchboard.Storage.Redis;
using Switchboard.Server.Hosting;
using Switchboard.Web.Hosting;

namespace Switchboard.Server;

/// <summary>The running PBX: composition root of every layer, and the one thing <c>serve</c> and the end-to-end tests start.</summary>
public sealed class PbxHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DataFolder _data;
    private readonly RedisSharedState? _redis;

    private PbxHost(WebApplication app, DataFolder data, RedisSharedState? redis, Uri httpUrl, Uri httpsUrl)
    {
        _app = app;
        _data = data;
        _redis = redis;
        HttpUrl = httpUrl;
        HttpsUrl = httpsUrl;
        Admin = app.Services.GetRequiredService<PbxAdmin>();
    }

    public Uri HttpUrl { get; }

    public Uri HttpsUrl { get; }

    public PbxAdmin Admin { get; }

    /// <summary>The SIP ports actually bound (null where the transport is off).</summary>
    public int? SipUdpPort => _app.Services.GetRequiredService<Sip.Transport.SipTransportHub>().UdpPort;

    public int? SipTcpPort => _app.Services.GetRequiredService<Sip.Transport.SipTransportHub>().TcpPort;

    public int? SipTlsPort => _app.Services.GetRequiredService<Sip.Transport.SipTransportHub>().TlsPort;

    public IServiceProvider Services => _app.Services;

    public static async Task<PbxHost> StartAsync(PbxHostOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = await DataFolder.OpenAsync(options.DataDirectory, options.Store, ct);
        RedisSharedState? redis = null;
        try
        {
            redis = options.Redis is { } redisConfiguration ? await RedisSharedState.ConnectAsync(redisConfiguration) : null;
            var certificate = TlsCertificate.Load(options, data.Path);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.SetMinimumLevel(LogLevel.Information);

            // Kestrel's request lines carry the query, and /api/call's holds a ticket or a resume token: credentials
            // stay out of the log (docs/security.md, "Resuming a call").
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
            builder.Logging.AddSimpleConsole(c => c.SingleLine = true);
            foreach (var provider in options.LoggerProviders)
            {
                builder.Logging.AddProvider(provider);
            }

            var bind = IPAddress.Parse(options.BindAddress);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(bind, options.HttpPort);
                kestrel.Listen(bind, options.HttpsPort, listen => listen.UseHttps(certificate));
            });
            // Queues are read at start and reloaded when the stored ones change (docs/queues.md, "Configuration").
            var queueStore = new SqlQueueStore(data.Database, options.Time);
            var queues = new Pbx.Queues.QueueDirectory(await queueStore.ListAsync(null, ct));
            Register(builder.Services, options, data, redis);
            builder.Services.AddSingleton(queues);
            builder.Services.AddSingleton<Pbx.Queues.IQueueStore>(queueStore);
            builder.Services.AddSingleton<Pbx.Queues.QueueService>();
            builder.Services.AddHostedService<QueueReloader>();
            SipHosting.Register(builder.Services, options, certificate);
            var app = builder.Build();
            redis?.LogConnectionTo(app.Services.GetRequiredService<ILogger<RedisSharedState>>());
            app.UseSwitchboardWeb();
            await StartupRecovery.RunAsync(app.Services, data.Database, options.CallRecords.DeadNodeAfter, ct);

            // Calls ended by the stop wait for their records: the writer stops waiting out its interval once stopping starts.
            if (app.Services.GetRequiredService<ICallRecordStore>() is BatchedCallRecordStore records)
            {
                app.Lifetime.ApplicationStopping.Register(records.FlushPromptly);
            }

            if (options.SeedDemo)
            {
                await DemoSeed.RunAsync(app.Services.GetRequiredService<IDirectoryStore>(), options, ct);
            }

            await app.Services.GetRequiredService<WebRtcMedia>().WarmUpAsync(ct);
            await app.StartAsync(ct);
            await SipHosting.StartAsync(app.Services, ct);
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            var http = new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)) + "/");
            var https = new Uri(addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal)) + "/");
            return new PbxHost(app, data, redis, http, https);
        }
        catch
        {
            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            data.Dispose();
            throw;
        }
    }

    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    /// <summary>Starts draining this node: it refuses new calls and stops once its last call has ended (<see cref="NodeDrain"/>).</summary>
    public void Drain() => _app.Services.GetRequiredService<NodeDrain>().Start();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _data.Dispose();
    }

    private static void Register(IServiceCollection services, PbxHostOptions options, DataFolder data, RedisSharedState? redis)
    {
        if (redis is not null)
        {
            // The throttle and the limiter take these when present (docs/scale-out.md, "Redis").
            services.AddSingleton(redis);
            services.AddSingleton<IClusterThrottle, RedisThrottle>();
            services.AddSingleton<IClusterCallLimits, RedisCallLimits>();
            services.AddSingleton<ISharedTickets, RedisTickets>();
            services.AddSingleton<ISharedRegistrations, RedisRegistrations>();
            services.AddSingleton<SharedRegistrationMirror>();
            services.AddSingleton<Pbx.Cluster.IClusterNodeDirectory>(new RedisClusterNodes(redis, data.Database.Node));
            services.AddSingleton<ClusterNodeAnnouncer>();
            services.AddSingleton(new Pbx.Cluster.NodeHopKey(data.HopKey));
            services.AddSingleton<ISharedLiveCalls>(sp => new RedisLiveCalls(redis, data.Database.Node, sp.GetRequiredService<ILogger<RedisLiveCalls>>()));
            services.AddHostedService<SharedLiveCallPublisher>();
        }

        services.AddSingleton(options.Time);

        // Histograms are recorded where the durations happen; they live on the meter /metrics exports (the factory hands
        // every asker of one name the same meter).
        services.AddSingleton(sp => new Pbx.Diagnostics.PbxHistograms(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>().Create(new System.Diagnostics.Metrics.MeterOptions(Web.Api.SwitchboardMeter.Name))));
        services.AddSingleton<AuthFailureCounters>();
        services.AddSingleton(options.Security);
        services.AddSingleton(new PbxIdentity(options.DefaultDomain));
        services.AddSingleton(data.Database);
        services.AddSingleton<Pbx.Security.ISecretProtector>(data.Secrets);
        services.AddSingleton<SqlDirectoryStore>();
        services.AddSingleton<IDirectoryStore>(sp => new CachedDirectoryStore(sp.GetRequiredService<SqlDirectoryStore>(),
            sp.GetRequiredService<SqlDirectoryStore>(), options.DirectoryCache, options.Time, sp.GetRequiredService<Pbx.Diagnostics.PbxHistograms>()));
        services.AddSingleton<ISessionStore, SqlSessionStore>();
        services.AddSingleton<ILoginFailureStore, SqlLoginFailureStore>();
        services.AddSingleton<ICallRecordStore>(sp => new BatchedCallRecordStore(data.Database, options.CallRecords, options.Time,
            sp.GetRequiredService<ILogger<BatchedCallRecordStore>>(), sp.GetRequiredService<Pbx.Diagnostics.PbxHistograms>()));
        services.AddSingleton<ILockoutStore, SqlLockoutStore>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<SignedLinkChecker>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<TicketIssuer>();
        services.AddSingleton<SqlCallTokenStore>();
        services.AddSingleton<Pbx.Tokens.IApiKeyStore>(sp => sp.GetRequiredService<SqlCallTokenStore>());
        services.AddSingleton<Pbx.Tokens.ICallTokenStore>(sp => sp.GetRequiredService<SqlCallTokenStore>());
        services.AddSingleton<Pbx.Tokens.IWebOriginStore, SqlWebOriginStore>();
        services.AddSingleton<Pbx.Tokens.CallTokenService>();
        services.AddSingleton(options.Services);
        // Made by the container so that it closes the parked sockets on shutdown, after the shards (made later) stop.
        services.AddSingleton(_ => new MediaPortPool(MediaSettings.Resolve(options), UdpMediaNetwork.Instance, options.Time));
        services.AddSingleton(sp => new MediaShards(Math.Max(1, options.MediaShards), UdpMediaNetwork.Instance, options.Time, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<WebRtcMedia>();
        services.AddSingleton<MediaSetupStats>();
        services.AddSingleton<IPolicyStore, SqlPolicyStore>();
        services.AddSingleton<PolicyCounters>();
        services.AddSingleton<CallLimiter>();
        services.AddSingleton<CallPolicy>();
        services.AddSingleton<DialPlan>();
        services.AddSingleton(LoadIvr(data.Path));
        services.AddSingleton<CallEngine>();
        services.AddSingleton<PbxAdmin>();
        services.AddSingleton(sp => new CallRecordRetention(sp.GetRequiredService<ICallRecordStore>(), options.CallRecordRetention,
            options.Time, sp.GetRequiredService<ILogger<CallRecordRetention>>()));
        services.AddHostedService(sp => sp.GetRequiredService<CallRecordRetention>());
        services.AddSingleton<NodeDrain>();
        services.AddSingleton<SignedLinkMaker>();
        services.AddSingleton(new Web.Api.Admin.CsrfTokens(data.CsrfKey));
        services.AddSwitchboardWeb(options.Web);
        ReadinessChecks.Register(services.AddHealthChecks(), options.Sip);
    }

    /// <summary>
    /// The IVR's menus from <c>ivr.json</c> in the data folder (the demo menu without one); a bad file stops the start with
    /// the field named. The admin API's reload reads the same file again.
    /// </summary>
    private static Pbx.Ivr.IvrRuntime LoadIvr(string dataPath)
    {
        var file = Path.Combine(dataPath, "ivr.json");
        if (!Pbx.Ivr.IvrConfigurationLoader.TryLoadFile(file, out var configuration, out var error))
        {
            throw new InvalidOperationException($"{file}: {error}");
        }

        return new Pbx.Ivr.IvrRuntime(configuration, Pbx.Ivr.IvrPromptLibrary.Load(Pbx.Ivr.IvrPromptLibrary.DefaultDirectory, out _), file);
    }
}
