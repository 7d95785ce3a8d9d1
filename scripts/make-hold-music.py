#!/usr/bin/env python3
"""Writes hold-music.wav: four bars of a simple melody over broken chords, composed here (no third-party
music, so no licence to respect), as the IVR's prompts are stored: 8 kHz, 16-bit, mono, linear PCM.

Run once, from the repository root:  python3 scripts/make-hold-music.py
The output replaces src/Switchboard.Pbx/Ivr/Prompts/hold-music.wav; any other WAV of that format can replace
it too (docs/queues.md, "Hold music")."""
import math
import struct
import wave

RATE = 8000
BEAT = 0.5  # seconds: 120 beats per minute
OUT = "src/Switchboard.Pbx/Ivr/Prompts/hold-music.wav"

# Note names to MIDI numbers, A4 = 69 = 440 Hz.
NOTES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def freq(name):
    midi = 12 * (int(name[-1]) + 1) + NOTES[name[0]]
    return 440.0 * 2 ** ((midi - 69) / 12)


# (note, beats): the melody, four bars of four beats, in C major (I - vi - IV - V).
MELODY = [("E5", 1), ("G5", 1), ("C6", 1), ("G5", 1),
          ("A5", 1.5), ("G5", 0.5), ("E5", 2),
          ("F5", 1), ("A5", 1), ("G5", 1), ("F5", 1),
          ("E5", 1), ("D5", 1), ("G4", 2)]
# One chord per bar, played as broken eighths under the melody.
CHORDS = [["C4", "E4", "G4", "E4"], ["A3", "C4", "E4", "C4"], ["F3", "A3", "C4", "A3"], ["G3", "B3", "D4", "B3"]]


def tone(f, seconds, level):
    n = int(seconds * RATE)
    out = []
    for i in range(n):
        t = i / RATE
        # Soft attack and exponential decay, like a plucked or struck string; a touch of the second harmonic.
        env = min(1.0, t / 0.01) * math.exp(-3.0 * t)
        out.append(level * env * (math.sin(2 * math.pi * f * t) + 0.25 * math.sin(4 * math.pi * f * t)))
    return out


def place(track, start, samples):
    for i, s in enumerate(samples):
        if start + i < len(track):
            track[start + i] += s


total = int(16 * BEAT * RATE)
track = [0.0] * total
at = 0.0
for note, beats in MELODY:
    place(track, int(at * RATE), tone(freq(note), beats * BEAT * 1.2, 0.45))
    at += beats * BEAT
for bar, chord in enumerate(CHORDS):
    for eighth in range(8):
        start = (bar * 4 + eighth / 2) * BEAT
        place(track, int(start * RATE), tone(freq(chord[eighth % 4]), BEAT, 0.22))

peak = max(abs(s) for s in track)
with wave.open(OUT, "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(RATE)
    w.writeframes(b"".join(struct.pack("<h", int(s / peak * 0.7 * 32767)) for s in track))
