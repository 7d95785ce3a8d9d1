using System.Globalization;
using System.Text;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// The carrier's <c>kamailio.cfg</c> (Kamailio 5.6, no database): <c>usrloc</c> in memory
/// (db_mode 0), passwords in an <c>htable</c> filled at start-up, digest through
/// <c>pv_www_authenticate</c>/<c>pv_proxy_authenticate</c> (flags 0: a plain password; 1 would mean
/// HA1) and challenges with qop=auth (<c>www_challenge</c> flags 1), DIDs as generated
/// <c>if</c>s. Every initial INVITE is logged once, at its outcome, as a <see cref="CarrierInvite"/> line.
/// </summary>
internal static class KamailioConfig
{
    public const string InviteTag = "CARRIER|INVITE|";
    public const string MarkTag = "CARRIER|MARK|";

    public static string Render(KamailioOptions options, int port)
    {
        var realm = options.Domain;
        return string.Create(CultureInfo.InvariantCulture, $$"""
            #!KAMAILIO
            debug=1
            log_stderror=yes
            fork=yes
            children=1
            tcp_children=1
            auto_aliases=no
            alias="{{realm}}"
            listen=udp:127.0.0.1:{{port}}
            listen=tcp:127.0.0.1:{{port}}

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
            loadmodule "htable.so"

            modparam("usrloc", "db_mode", 0)
            modparam("htable", "htable", "users=>size=4;")

            event_route[htable:mod-init] {
            {{Users(options)}}}

            request_route {
                if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
                # OPTIONS to the carrier itself: liveness probe and log marker for KamailioCarrier.
                if (is_method("OPTIONS") && $rU == $null) {
                    xlog("L_NOTICE", "{{MarkTag}}$ci\n");
                    sl_send_reply("200", "OK");
                    exit;
                }
                if (has_totag()) { route(WITHINDLG); exit; }
                if (is_method("CANCEL")) { if (t_check_trans()) route(RELAY); exit; }
                # Retransmissions are absorbed here, so each INVITE is logged once.
                if (t_precheck_trans()) { t_check_trans(); exit; }
                t_check_trans();
                remove_hf("Route");
                if (is_method("REGISTER")) { route(REGISTRAR); exit; }
                if (!is_method("INVITE")) { sl_send_reply("405", "Method Not Allowed"); exit; }
                $var(ruri) = $ru;
                route(INVITE_AUTH);
                record_route();
                route(TARGET);
            }

            # A carrier authenticates the account, not the caller ID: From and P-Asserted-Identity may
            # carry any number (the trunk's DIDs), so $au is not compared with $fU.
            route[INVITE_AUTH] {
                if ($au != $null && $sht(users=>$au) != $null && pv_proxy_authenticate("{{realm}}", "$sht(users=>$au)", "0")) {
                    consume_credentials();
                    return;
                }
                $var(outcome) = "challenged";
                route(LOG_INVITE);
                proxy_challenge("{{realm}}", "1");
                exit;
            }

            route[TARGET] {
                $var(did) = "";
            {{Dids(options)}}
                if (!lookup("location")) {
                    $var(outcome) = "not-found";
                    route(LOG_INVITE);
                    sl_send_reply("404", "Not Found");
                    exit;
                }
                # lookup() replaced the request-URI with the trunk's contact: put the dialled DID back.
                if ($var(did) != "") $rU = $var(did);
                $var(outcome) = "relayed";
                route(LOG_INVITE);
                route(RELAY);
            }

            route[LOG_INVITE] {
                xlog("L_NOTICE", "{{InviteTag}}$var(outcome)|$ci|$fU|$tU|$var(ruri)|$ru|$au|$hdr(P-Asserted-Identity)\n");
            }

            route[REGISTRAR] {
                if ($au == $null || $sht(users=>$au) == $null || !pv_www_authenticate("{{realm}}", "$sht(users=>$au)", "0")) {
                    www_challenge("{{realm}}", "1");
                    exit;
                }
                if ($au != $tU) { sl_send_reply("403", "Forbidden"); exit; }
                consume_credentials();
                if (!save("location")) sl_reply_error();
                exit;
            }

            route[WITHINDLG] {
                if (loose_route()) { route(RELAY); exit; }
                if (is_method("ACK")) {
                    if (t_check_trans()) route(RELAY);
                    exit;
                }
                sl_send_reply("404", "Not here");
            }

            route[RELAY] {
                if (!t_relay()) sl_reply_error();
                exit;
            }

            """);
    }

    private static string Users(KamailioOptions options)
    {
        var lines = new StringBuilder();
        foreach (var (user, password) in options.Users)
        {
            lines.Append(CultureInfo.InvariantCulture, $"    $sht(users=>{user}) = \"{password}\";\n");
        }

        return lines.ToString();
    }

    /// <summary>Exact DIDs compare equal; a trailing <c>*</c> makes a prefix (a regular expression on digits only).</summary>
    private static string Dids(KamailioOptions options)
    {
        var lines = new StringBuilder();
        foreach (var (did, trunkUser) in options.Dids)
        {
            var test = did.EndsWith('*') ? $"$rU =~ \"^{did[..^1]}\"" : $"$rU == \"{did}\"";
            lines.Append(CultureInfo.InvariantCulture, $"    if ($var(did) == \"\" && {test}) {{ $var(did) = $rU; $rU = \"{trunkUser}\"; }}\n");
        }

        return lines.ToString();
    }
}
