#!/usr/bin/env bash
# Copies a build of Switchboard.Fuzz and instruments our parser assemblies in the copy with SharpFuzz
# (AFL edge coverage compiled into the IL), leaving the normal build untouched.
# usage: fuzz/instrument.sh <Switchboard.Fuzz build dir> <output dir>
set -euo pipefail
build=${1:?build dir}
out=${2:?output dir}
here="$(cd "$(dirname "$0")" && pwd)"
sharpfuzz="$here/.tools/sharpfuzz"
[ -x "$sharpfuzz" ] || { echo "instrument.sh: $sharpfuzz is missing; run scripts/install-test-deps.sh (it installs SharpFuzz.CommandLine 2.3.0 there)" >&2; exit 1; }
[ -f "$build/Switchboard.Fuzz.dll" ] || { echo "instrument.sh: no Switchboard.Fuzz.dll in $build; build first" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
cp -a "$build/." "$out/"
# Our own code carries the coverage map, and of BouncyCastle the TLS/DTLS protocol code (namespace
# Org.BouncyCastle.Tls: the DTLS record layer and handshake that the dtls target's input reaches), so that
# AFL is guided through the code that parses DTLS records, not only through ours around it. Its crypto
# primitives, System.Text.Json and the runtime stay as shipped.
for assembly in Switchboard.Sip Switchboard.Media Switchboard.Pbx; do
  "$sharpfuzz" "$out/$assembly.dll" >/dev/null
done
"$sharpfuzz" "$out/BouncyCastle.Cryptography.dll" Org.BouncyCastle.Tls. >/dev/null
echo "$out"
