// The popup's view of its call's audio from getStats(): docs/signalling.md, "Call quality".
(function () {
  'use strict';
  var SILENT_LEVEL = 0.0005, SILENT_MS = 6000;
  function r(x, d) { var f = Math.pow(10, d); return Math.round(x * f) / f; }
  function n(x) { return typeof x === 'number' && isFinite(x); }

  // Loss and level are those of the interval since the last read.
  function Meter() { this.prev = { lost: 0, got: 0, energy: 0, secs: 0 }; this.silentSince = null; }

  Meter.prototype.read = function (report, now) {
    var s = {};
    report.forEach(function (x) { if (x.kind === 'audio') s[x.type] = x; });
    var i = s['inbound-rtp'] || {}, o = s['remote-inbound-rtp'] || {}, m = s['media-source'] || {}, p = this.prev;
    var c = this.prev = {
      lost: n(i.packetsLost) ? i.packetsLost : p.lost, got: n(i.packetsReceived) ? i.packetsReceived : p.got,
      energy: n(m.totalAudioEnergy) ? m.totalAudioEnergy : p.energy, secs: n(m.totalSamplesDuration) ? m.totalSamplesDuration : p.secs
    };
    var lost = Math.max(0, c.lost - p.lost), got = Math.max(0, c.got - p.got);
    var loss = Math.max(lost + got > 0 ? 100 * lost / (lost + got) : 0, n(o.fractionLost) ? 100 * o.fractionLost : 0);
    var jitter = 1000 * Math.max(n(i.jitter) ? i.jitter : 0, n(o.jitter) ? o.jitter : 0);
    var rtt = n(o.roundTripTime) ? 1000 * o.roundTripTime : null;
    // RMS over the interval, so a beep between two reads still counts as signal.
    var secs = c.secs - p.secs;
    var level = secs > 0 ? Math.sqrt(Math.max(0, c.energy - p.energy) / secs) : n(m.audioLevel) ? m.audioLevel : null;
    if (level !== null) this.silentSince = level < SILENT_LEVEL ? (this.silentSince === null ? now : this.silentSince) : null;
    var f = {
      lossPercent: r(Math.min(100, loss), 2), jitterMs: r(Math.min(10000, jitter), 1),
      roundTripMs: rtt === null ? null : r(Math.min(10000, rtt), 1), audioLevel: level === null ? null : r(Math.min(1, level), 4)
    };
    f.warning = this.silentSince !== null && now - this.silentSince >= SILENT_MS ? 'mic'
      : f.lossPercent > 3 ? 'loss' : f.jitterMs > 30 ? 'jitter' : rtt !== null && f.roundTripMs > 400 ? 'round_trip' : null;
    return f;
  };

  window.SwitchboardQuality = { Meter: Meter };
}());
