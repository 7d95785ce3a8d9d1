#!/usr/bin/env bash
# The one test command: installs what is missing, builds with warnings as errors, runs every test
# project, and ends with the totals line "N passed, N failed".
# Tests run in a private network namespace that has only loopback (when we may create one), so no
# test traffic can leave the machine.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh || { echo "Installing test dependencies failed"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build Switchboard.slnx -c Release || { echo "Build failed"; echo "0 passed, 1 failed"; exit 1; }

run_isolated() {
  if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
    unshare -n bash -c 'ip link set lo up && "$@"' _ "$@"
  else
    "$@"
  fi
}

out_dir=$(mktemp -d)
passed=0
failed=0
status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  log="$out_dir/$name.log"
  echo "=== $name"
  run_isolated dotnet test "$project" -c Release --no-build 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  # VSTest's summary: "Passed!  - Failed:     0, Passed:    52, Skipped:     0, Total:    52, ..."
  summary=$(grep -E '^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ] && [ "$rc" -eq 0 ] && grep -q 'No test is available' "$log"; then
    echo "$name: no tests yet"
    continue
  fi
  if [ -z "$summary" ]; then
    echo "$name: no test summary (exit $rc)"
    failed=$((failed + 1))
    status=1
    continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$rc" -eq 0 ] || status=1
done

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
