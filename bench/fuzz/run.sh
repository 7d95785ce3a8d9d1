#!/usr/bin/env bash
# Runs every fuzz target (or those named after the seconds) under afl-fuzz for a bounded time each,
# one after the other, and writes the table to docs/benchmarks-fuzz.md with the machine and command.
# usage: bench/fuzz/run.sh <seconds per target> [target...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:?seconds per target}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sip sip-stream sdp stun rtp-rtcp srtp dtls callsocket signed-link ivr)

work=$(mktemp -d /tmp/switchboard-fuzz-bench.XXXXXX)
dotnet build fuzz/Switchboard.Fuzz -c Release -v q >/dev/null
bash fuzz/instrument.sh fuzz/Switchboard.Fuzz/bin/Release/net10.0 "$work/instrumented" >/dev/null

stat() { grep -E "^$1 +:" "$2" | sed -E 's/^[^:]+: *//'; }
rows=()
for target in "${targets[@]}"; do
  echo "== $target: $seconds s"
  findings="$work/findings-$target"
  bash fuzz/afl-run.sh "$work/instrumented" "$target" "$seconds" "$findings" >"$work/$target.log" 2>&1 || echo "afl-fuzz on $target exited $? (see $work/$target.log)"
  s="$findings/default/fuzzer_stats"
  if [ ! -f "$s" ]; then
    rows+=("| $target | did not run | | | | | |")
    continue
  fi
  # Crashes and hangs are kept for triage: copy them to fuzz/regressions/<target>/ once understood.
  rows+=("| $target | $(stat run_time "$s") | $(stat execs_done "$s") | $(stat execs_per_sec "$s") | $(stat edges_found "$s") | $(stat corpus_count "$s") | $(stat saved_crashes "$s") | $(stat saved_hangs "$s") |")
  echo "${rows[-1]}"
done

out=docs/benchmarks-fuzz.md
{
  echo "# Fuzzing figures"
  echo
  echo "Written by \`bench/fuzz/run.sh\`; see docs/security.md, \"Fuzzing\", for what each target feeds and how to run it."
  echo
  echo "- Command: \`bash bench/fuzz/run.sh $seconds${*:+ $*}\` ($(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD))"
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(free -g | awk '/Mem:/ {print $2}') GiB, shared with other jobs; AFL++ $(afl-fuzz -h 2>&1 | grep -om1 '++[0-9.a-z]*' | tr -d '+' || true), SharpFuzz 2.3.0, .NET $(dotnet --version)"
  echo "- One afl-fuzz instance per target, one target at a time; coverage is the edges AFL saw in the instrumented code: our assemblies (Switchboard.Sip, .Media, .Pbx) and BouncyCastle's TLS/DTLS protocol code (namespace Org.BouncyCastle.Tls, which only the dtls target reaches), not BouncyCastle's crypto primitives or the runtime."
  echo
  echo "| target | seconds | executions | execs/s | edges found | corpus | crashes | hangs |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} >"$out"
echo "wrote $out; AFL output kept in $work"
