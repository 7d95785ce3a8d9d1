// quality.js: the popup's own view of its call's audio (docs/signalling.md, "quality"), read from
// RTCPeerConnection.getStats() every SAMPLE_MS: loss and jitter of what it receives (inbound-rtp), the far
// side's view of what it sends (remote-inbound-rtp: fractionLost, roundTripTime), and its microphone's
// signal (media-source energy). A call is "bad" while loss > 3 %, jitter > 30 ms, round trip > 400 ms, or
// the microphone has been silent for SILENT_MS.
(function () {
  'use strict';

  var LOSS_PERCENT = 3;
  var JITTER_MS = 30;
  var ROUND_TRIP_MS = 400;
  // RMS level (0..1) below which the microphone counts as silent: about -66 dBFS, under any real room's noise.
  var SILENT_LEVEL = 0.0005;
  var SILENT_MS = 6000;

  function round(x, digits) {
    var f = Math.pow(10, digits);
    return Math.round(x * f) / f;
  }

  function clamp(x, lo, hi) { return Math.min(hi, Math.max(lo, x)); }

  function finite(x) { return typeof x === 'number' && isFinite(x); }

  // One meter per call: it keeps the previous sample, so loss and level are those of the last interval.
  function Meter() {
    this.prev = null;
    this.silentSince = null;
  }

  // Figures from one getStats() report taken at `now` (ms): { lossPercent, jitterMs, roundTripMs, audioLevel, warning }.
  Meter.prototype.read = function (report, now) {
    var inbound = null, remote = null, source = null;
    report.forEach(function (s) {
      if (s.kind !== 'audio') return;
      if (s.type === 'inbound-rtp') inbound = s;
      else if (s.type === 'remote-inbound-rtp') remote = s;
      else if (s.type === 'media-source') source = s;
    });
    var prev = this.prev || { lost: 0, received: 0, energy: 0, duration: 0 };
    var cur = {
      lost: inbound && finite(inbound.packetsLost) ? inbound.packetsLost : prev.lost,
      received: inbound && finite(inbound.packetsReceived) ? inbound.packetsReceived : prev.received,
      energy: source && finite(source.totalAudioEnergy) ? source.totalAudioEnergy : prev.energy,
      duration: source && finite(source.totalSamplesDuration) ? source.totalSamplesDuration : prev.duration
    };
    this.prev = cur;

    var lost = Math.max(0, cur.lost - prev.lost);
    var received = Math.max(0, cur.received - prev.received);
    var lossIn = lost + received > 0 ? 100 * lost / (lost + received) : 0;
    var lossOut = remote && finite(remote.fractionLost) ? 100 * remote.fractionLost : 0;
    var jitterIn = inbound && finite(inbound.jitter) ? inbound.jitter * 1000 : 0;
    var jitterOut = remote && finite(remote.jitter) ? remote.jitter * 1000 : 0;
    var rtt = remote && finite(remote.roundTripTime) ? remote.roundTripTime * 1000 : null;

    // Energy over the interval (RMS), not the instantaneous audioLevel: a beep between samples still counts.
    var seconds = cur.duration - prev.duration;
    var level = seconds > 0 ? Math.sqrt(Math.max(0, cur.energy - prev.energy) / seconds)
      : source && finite(source.audioLevel) ? source.audioLevel : null;
    if (level !== null && level < SILENT_LEVEL) {
      if (this.silentSince === null) this.silentSince = now;
    } else if (level !== null) {
      this.silentSince = null;
    }

    var figures = {
      lossPercent: round(clamp(Math.max(lossIn, lossOut), 0, 100), 2),
      jitterMs: round(clamp(Math.max(jitterIn, jitterOut), 0, 10000), 1),
      roundTripMs: rtt === null ? null : round(clamp(rtt, 0, 10000), 1),
      audioLevel: level === null ? null : round(clamp(level, 0, 1), 4),
      warning: null
    };
    if (this.silentSince !== null && now - this.silentSince >= SILENT_MS) figures.warning = 'mic';
    else if (figures.lossPercent > LOSS_PERCENT) figures.warning = 'loss';
    else if (figures.jitterMs > JITTER_MS) figures.warning = 'jitter';
    else if (figures.roundTripMs !== null && figures.roundTripMs > ROUND_TRIP_MS) figures.warning = 'round_trip';
    return figures;
  };

  window.SwitchboardQuality = { Meter: Meter };
}());
