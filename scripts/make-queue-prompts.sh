#!/bin/sh
# Writes the queue's spoken pieces (docs/queues.md, "Announcements") into src/Switchboard.Pbx/Ivr/Prompts, the way the
# IVR's prompts were made (docs/ivr.md): espeak-ng, then sox to 8 kHz 16-bit mono. The PBX joins pieces at run time:
# "you-are-number" + N + "in-the-queue", "wait-about" + ("one-minute" | N + "minutes"). Run from the repository root.
set -eu
out=src/Switchboard.Pbx/Ivr/Prompts
tmp=$(mktemp -d)
say() { # language voice file text
    espeak-ng -v "$2" -s 150 -w "$tmp/w.wav" "$4"
    sox "$tmp/w.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/queue-$1-$3.wav" silence 1 0.02 1% reverse silence 1 0.02 1% reverse pad 0 0.15 norm -3
}
say en en-us you-are-number "You are number"
say en en-us in-the-queue "in the queue."
say en en-us wait-about "The expected wait is about"
say en en-us one-minute "one minute."
say en en-us minutes "minutes."
say en en-us logged-in "You are logged in to your queues."
say en en-us logged-out "You are logged out of your queues."
say de de you-are-number "Sie sind Nummer"
say de de in-the-queue "in der Warteschlange."
say de de wait-about "Die voraussichtliche Wartezeit beträgt etwa"
say de de one-minute "eine Minute."
say de de minutes "Minuten."
say de de logged-in "Sie sind bei Ihren Warteschlangen angemeldet."
say de de logged-out "Sie sind von Ihren Warteschlangen abgemeldet."
for n in $(seq 1 20); do
    say en en-us "$n" "$n"
    say de de "$n" "$n"
done
rm -r "$tmp"
