using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Transport;
using Switchboard.Storage;

namespace Switchboard.Server.Hosting;

/// <summary>
/// What <c>GET /readyz</c> asks before it says this node may be sent traffic (docs/configuration.md, "Health"): the
/// store answers, the SIP transports are bound and the endpoint runs, a media port is free, and the node is not
/// draining. Each check's description is what the reply shows; causes with detail go to the log, not to the caller.
/// </summary>
internal static partial class ReadinessChecks
{
    public static void Register(IHealthChecksBuilder checks, SipHostOptions sip)
    {
        checks.AddCheck<StoreCheck>("store");
        checks.Add(new HealthCheckRegistration("sip",
            services => new SipCheck(services.GetRequiredService<SipTransportHub>(), services.GetRequiredService<SipEndpoint>(), sip), null, null));
        checks.AddCheck<MediaCheck>("media");
        checks.AddCheck<DrainCheck>("calls");
    }

    /// <summary>A trivial query within <see cref="Deadline"/>, on the thread pool (SQLite answers synchronously).</summary>
    internal sealed partial class StoreCheck(StoreDatabase database, TimeProvider time, ILogger<StoreCheck> log) : IHealthCheck
    {
        public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await Task.Run(() => database.ProbeAsync(cancellationToken), cancellationToken).WaitAsync(Deadline, time, cancellationToken);
                return HealthCheckResult.Healthy("ok");
            }
            catch (TimeoutException)
            {
                LogStoreSlow(log, database.Description, Deadline.TotalSeconds);
                return HealthCheckResult.Unhealthy("no answer within the deadline");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStoreFailed(log, database.Description, e.Message);
                return HealthCheckResult.Unhealthy("unreachable");
            }
        }

        [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Readiness: the store ({Store}) did not answer within {Seconds} s")]
        private static partial void LogStoreSlow(ILogger logger, string store, double seconds);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Readiness: the store ({Store}) is unreachable: {Error}")]
        private static partial void LogStoreFailed(ILogger logger, string store, string error);
    }

    /// <summary>Every transport the configuration enables has its port bound, and the endpoint runs (started, not stopping).</summary>
    internal sealed class SipCheck(SipTransportHub hub, SipEndpoint endpoint, SipHostOptions sip) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var unbound = new[] { ("udp", sip.UdpPort, hub.UdpPort), ("tcp", sip.TcpPort, hub.TcpPort), ("tls", sip.TlsPort, hub.TlsPort) }
                .Where(t => t.Item2 is not null && t.Item3 is null).Select(t => t.Item1).ToList();
            var result = unbound.Count > 0 ? HealthCheckResult.Unhealthy("not bound: " + string.Join(", ", unbound))
                : !endpoint.IsRunning ? HealthCheckResult.Unhealthy("endpoint not running")
                : HealthCheckResult.Healthy("ok");
            return Task.FromResult(result);
        }
    }

    /// <summary>
    /// A leg binds its own port from the range when it starts (there is no media socket listening beforehand): ready means
    /// the range still has a port for the next call.
    /// </summary>
    internal sealed class MediaCheck(MediaPortPool ports) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var size = ports.Options.PortMax - ports.Options.PortMin + 1;
            return Task.FromResult(ports.InUse < size ? HealthCheckResult.Healthy("ok") : HealthCheckResult.Unhealthy("every media port is in use"));
        }
    }

    /// <summary>A draining node finishes its calls but takes no new ones (docs/scale-out.md, "Drain"): not ready.</summary>
    internal sealed class DrainCheck(CallEngine calls) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(calls.RefusesNewCalls ? HealthCheckResult.Unhealthy("draining") : HealthCheckResult.Healthy("ok"));
    }
}
