#!/usr/bin/env bash
# Runs one target under afl-fuzz for a bounded time and leaves AFL's output (fuzzer_stats, crashes/,
# hangs/) in the findings folder. Exit status is afl-fuzz's.
# usage: fuzz/afl-run.sh <instrumented dir> <target> <seconds> <findings dir> [corpus dir]
# With FUZZ_MAX_EXECS=N in the environment the run also stops after about N executions (afl-fuzz -E), so a
# long run ends at its target count instead of a guessed time; the seconds stay the upper bound.
set -euo pipefail
dir=${1:?instrumented dir}
target=${2:?target}
seconds=${3:?seconds}
findings=${4:?findings dir}
here="$(cd "$(dirname "$0")" && pwd)"
corpus=${5:-$here/corpus/$target}
command -v afl-fuzz >/dev/null || { echo "afl-run.sh: afl-fuzz is missing; run scripts/install-test-deps.sh (Debian package afl++)" >&2; exit 1; }

# AFL as root on a shared CI machine: no CPU governor check, no core_pattern check (crashes are found
# by the exit status, not core files), no CPU pinning (other jobs share the cores), no curses UI.
# The runtime is not an AFL-compiled binary (SKIP_BIN_CHECK); SharpFuzz speaks the fork-server protocol.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 \
  AFL_SKIP_BIN_CHECK=1 AFL_NO_CRASH_README=1 AFL_FORKSRV_INIT_TMOUT=60000 \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_TieredPGO=0
rm -rf "$findings"
execs=()
[ -z "${FUZZ_MAX_EXECS:-}" ] || execs=(-E "$FUZZ_MAX_EXECS")
# -t: per input, in ms; the first inputs also pay the JIT. -V bounds the run in seconds.
exec afl-fuzz -i "$corpus" -o "$findings" -t 3000 -m none -V "$seconds" "${execs[@]}" -- dotnet "$dir/Switchboard.Fuzz.dll" "$target"
