#!/usr/bin/env bash
# Installs what the tests need and a fresh Debian machine lacks: Debian's Chromium for the browser
# tests (Playwright drives /usr/bin/chromium; it never downloads a browser of its own), baresip as a
# real SIP user agent, Kamailio as a stand-in carrier (registrar + digest, no database), SIPp (Debian
# sip-tester) as a scripted caller for the call-record durability tests, PostgreSQL (the second storage engine), Redis (state shared by several nodes), AFL++ and SharpFuzz's tool for the
# fuzz smoke, and JsSIP (npm) for the browser softphone page.
set -euo pipefail

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v ip >/dev/null 2>&1 || packages+=(iproute2)
command -v baresip >/dev/null 2>&1 || packages+=(baresip baresip-core)
command -v npm >/dev/null 2>&1 || packages+=(npm)
command -v sipp >/dev/null 2>&1 || packages+=(sip-tester)
# The network-change test drops a media path with iptables inside its own network namespace.
[ -x /usr/sbin/iptables ] || command -v iptables >/dev/null 2>&1 || packages+=(iptables)
# AFL++ drives the SharpFuzz targets in fuzz/ (tests/Switchboard.Fuzz.Tests runs each briefly).
command -v afl-fuzz >/dev/null 2>&1 || packages+=(afl++)
# PostgreSQL for the storage tests on the second engine: they start a throwaway cluster with its initdb and pg_ctl.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
# Redis for the scale-out tests (shared lockouts and call limits): they start a throwaway redis-server on loopback.
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
# Kamailio's Debian package is installed under /usr/sbin, which is not always on PATH for non-root users.
[ -x /usr/sbin/kamailio ] || command -v kamailio >/dev/null 2>&1 || packages+=(kamailio)

if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing: ${packages[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# SharpFuzz's instrumenting tool, at the pinned version, in a tool path of the repo (ignored by git):
# fuzz/instrument.sh runs it; the fuzz tests run without network, so it is installed here.
fuzz_tools="$(cd "$(dirname "$0")/.." && pwd)/fuzz/.tools"
if [ ! -x "$fuzz_tools/sharpfuzz" ]; then
  echo "Installing SharpFuzz.CommandLine 2.3.0"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$fuzz_tools" >/dev/null
fi

# JsSIP has no browser build in its npm package: bundle it once per lock file change. The test
# project copies dist/jssip.min.js next to Peers/jssip-phone.html.
jssip_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/Switchboard.EndToEnd.Tests/jssip"
if [ ! -f "$jssip_dir/dist/jssip.min.js" ] || [ "$jssip_dir/package-lock.json" -nt "$jssip_dir/dist/jssip.min.js" ]; then
  echo "Installing JsSIP (npm ci)"
  (cd "$jssip_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run --silent build)
fi
