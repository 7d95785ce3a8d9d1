using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Switchboard.SipLoad;

/// <summary>How Kamailio is run: executable, UDP workers, shared memory, memory manager ("" for Kamailio's default).</summary>
internal sealed record KamailioSettings(string Executable, int Children, int SharedMemoryMb, string Allocator);

/// <summary>
/// Kamailio (Debian's 5.6, <c>/usr/sbin/kamailio</c>) as the comparison target: a stateful proxy and registrar with
/// digest and no database, on one free loopback UDP port. Runs in the foreground (<c>-DD -E</c>) with its config,
/// runtime and working directory in <paramref name="directory"/>; its CPU is the main process's plus its forked
/// children's. Stopped by PID (SIGTERM, which the main process passes on to its children; then a kill).
/// </summary>
internal sealed class KamailioProcess : ILoadTarget
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly StreamWriter _log;

    private KamailioProcess(Process process, StreamWriter log, IPEndPoint sip, string logPath)
    {
        _process = process;
        _log = log;
        Sip = sip;
        LogPath = logPath;
    }

    public string Name => "Kamailio";

    public IPEndPoint Sip { get; }

    public bool HasExited => _process.HasExited;

    public string LogPath { get; }

    public static string DefaultExecutable => File.Exists("/usr/sbin/kamailio") ? "/usr/sbin/kamailio" : "kamailio";

    public IReadOnlyList<int> CpuProcesses() => _process.HasExited ? [] : ProcCpu.WithChildren(_process.Id);

    public static async Task<KamailioProcess> StartAsync(KamailioSettings settings, string directory, string domain, string password, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var port = Loopback.FreeUdpPort();
        var config = Path.Combine(directory, "kamailio.cfg");
        await File.WriteAllTextAsync(config, Config(port, domain, password, settings.Children), ct);
        var info = new ProcessStartInfo(settings.Executable)
        {
            // Shared memory holds every transaction until its wait timer (5 s) ends: Kamailio's default 64 MB runs out
            // near 500 cps ("new_t(): out of mem" and 500 replies). 8 MB private memory per process.
            ArgumentList = { "-f", config, "-DD", "-E", "-Y", directory, "-w", directory, "-m", settings.SharedMemoryMb.ToString(CultureInfo.InvariantCulture), "-M", "8" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (settings.Allocator is { Length: > 0 } allocator)
        {
            // -x: the shared memory manager, -X: the private one (Kamailio's default is qm, which checks and is slower).
            info.ArgumentList.Add("-x");
            info.ArgumentList.Add(allocator);
            info.ArgumentList.Add("-X");
            info.ArgumentList.Add(allocator);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("kamailio did not start");
        var logPath = Path.Combine(directory, "kamailio.log");
        var kamailio = new KamailioProcess(process, ChildProcess.CaptureOutput(process, logPath), new IPEndPoint(IPAddress.Loopback, port), logPath);
        try
        {
            await Loopback.WaitUntilAnsweringAsync(kamailio.Sip, () => kamailio.HasExited, logPath, ReadyTimeout, ct);
            return kamailio;
        }
        catch
        {
            await kamailio.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await ChildProcess.StopAsync(_process, _log, "-TERM", StopTimeout);

    /// <summary>
    /// The proxy: REGISTER challenged with 401 (<c>www_challenge</c>) then saved in memory (usrloc db_mode 0); an initial
    /// INVITE challenged with 407 (<c>proxy_challenge</c>), then Record-Route, <c>lookup("location")</c> and
    /// <c>t_relay</c>; in-dialog requests loose-routed. Every user has the same password (RFC 2617 digest, no qop), as
    /// the PBX's test extensions do. (<c>tmx</c> for <c>t_precheck_trans</c>.) Logging at errors only (<c>debug=-1</c>): the PBX logs at its default level.
    /// </summary>
    public static string Config(int port, string domain, string password, int children) => string.Create(CultureInfo.InvariantCulture, $$"""
        #!KAMAILIO
        debug=-1
        log_stderror=yes
        fork=yes
        children={{children}}
        disable_tcp=yes
        auto_aliases=no
        alias="{{domain}}"
        listen=udp:127.0.0.1:{{port}}

        loadmodule "tm.so"
        loadmodule "tmx.so"
        loadmodule "sl.so"
        loadmodule "rr.so"
        loadmodule "pv.so"
        loadmodule "maxfwd.so"
        loadmodule "textops.so"
        loadmodule "siputils.so"
        loadmodule "xlog.so"
        loadmodule "usrloc.so"
        loadmodule "registrar.so"
        loadmodule "auth.so"

        modparam("usrloc", "db_mode", 0)

        request_route {
            if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
            if (is_method("OPTIONS") && $rU == $null) { sl_send_reply("200", "OK"); exit; }
            if (has_totag()) { route(WITHINDLG); exit; }
            if (is_method("CANCEL")) { if (t_check_trans()) route(RELAY); exit; }
            # The ACK of a 407 is absorbed here (sl sent the 407 statelessly).
            if (is_method("ACK")) { t_check_trans(); exit; }
            # Retransmissions of a relayed INVITE are answered by its transaction.
            if (t_precheck_trans()) { t_check_trans(); exit; }
            t_check_trans();
            remove_hf("Route");
            $avp(pass) = "{{password}}";
            if (is_method("REGISTER")) { route(REGISTRAR); exit; }
            if (!is_method("INVITE")) { sl_send_reply("405", "Method Not Allowed"); exit; }
            if (!pv_proxy_authenticate("$fd", "$avp(pass)", "0")) { proxy_challenge("$fd", "0"); exit; }
            consume_credentials();
            record_route();
            if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
            route(RELAY);
        }

        route[REGISTRAR] {
            if (!pv_www_authenticate("$td", "$avp(pass)", "0")) { www_challenge("$td", "0"); exit; }
            if ($au != $tU) { sl_send_reply("403", "Forbidden"); exit; }
            consume_credentials();
            if (!save("location")) sl_reply_error();
        }

        route[WITHINDLG] {
            if (loose_route()) { route(RELAY); exit; }
            if (is_method("ACK")) { if (t_check_trans()) route(RELAY); exit; }
            sl_send_reply("404", "Not here");
        }

        route[RELAY] {
            if (!t_relay()) sl_reply_error();
            exit;
        }

        """);
}
