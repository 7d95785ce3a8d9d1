// makecall.htm: the click-to-call popup. Contract: docs/signalling.md; flow: docs/page.md.
(function () {
  'use strict';

  var ENDED_CLOSE_MS = 1500;
  var FAILED_CLOSE_MS = 4000;
  var PING_MS = 15000;
  var HANGUP_GRACE_MS = 1000;
  var DTMF_SHOW_MS = 1500;
  // Network changes (docs/signalling.md, "Network changes"): ICE 'disconnected' this long, or 'failed', restarts
  // ICE; a restart that has not connected after RESTART_RETRY_MS is tried again. A call socket that closes
  // without 'ended' is reopened with the resume token after these delays, within the PBX's 15 s grace.
  var ICE_DISCONNECTED_MS = 2000;
  var RESTART_RETRY_MS = 6000;
  var RESUME_DELAYS_MS = [250, 500, 1000, 2000, 3000, 3000, 3000];
  var QUALITY_MS = 2000;
  var QUALITY_REPORT_EVERY = 5;

  var params = new URLSearchParams(location.search);
  var dest = params.get('destnumber') || '';
  var wantLang = params.get('lang') || '';
  var link = ['user', 'pass', 'time', 'duration'].some(function (k) { return params.has(k); });
  // A call token minted by a website's backend (docs/tokens.md); embed=1 when the widget shows the page in its frame.
  var token = params.get('token') || '';
  var embedded = params.get('embed') === '1' && window.parent !== window;

  var $ = function (id) { return document.getElementById(id); };
  var body = document.body;
  var status = $('status');
  var queueLine = $('queue');
  // The caller's place in a queue (docs/signalling.md, "queue"); 0 when it is not waiting in one.
  var queuePlace = 0;
  var form = $('form');
  var callView = $('call');
  var langSelect = $('lang');

  var table = {};          // the loaded translation table
  var lang = 'en';
  var statusKey = 'loading';
  var statusArgs = {};
  var dtmfDigits = '';
  var dtmfTimer = 0;
  var closeTimer = 0;
  var call = null;         // { pc, ws, mic, ping, done }

  // ---- set-up phases (docs/signalling.md, "phases") -------------------------------
  // Each mark is taken once, as a performance.mark ("sb:" + name) and as ms since navigation start;
  // the report goes to the PBX once, on the call socket, and lands in the call's record.

  var phases = {};
  var phasesSent = false;

  function mark(name, at) {
    if (Object.prototype.hasOwnProperty.call(phases, name)) return;
    var now = at === undefined ? performance.now() : at;
    phases[name] = Math.round(now * 10) / 10;
    if (performance.mark) performance.mark('sb:' + name, { startTime: now });
  }

  // Once the last marks a call takes are in (Chromium may report DTLS 'connected' after the first audio), or
  // when the user hangs up first.
  var LAST_MARKS = ['ice', 'dtls', 'audio_in', 'connected'];
  function sendPhases(c, force) {
    var complete = LAST_MARKS.every(function (n) { return phases[n] !== undefined; });
    if (phasesSent || !(force || complete)) return;
    if (!c.ws || c.ws.readyState !== WebSocket.OPEN) return;
    phasesSent = true;
    send(c, { type: 'phases', marks: phases });
  }

  mark('parsed');

  // ---- translation ----------------------------------------------------------

  function t(key, args) {
    var s = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
    return String(s).replace(/\{(\w+)\}/g, function (m, name) {
      return args && args[name] !== undefined ? String(args[name]) : m;
    });
  }

  function validLang(code) { return /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(code || ''); }

  function loadTable(code) {
    if (!validLang(code)) return Promise.reject(new Error('lang'));
    return fetch('/i18n/' + code + '.json', { cache: 'no-cache' }).then(function (r) {
      if (!r.ok) throw new Error('i18n ' + r.status);
      return r.json();
    }).then(function (json) {
      table = json;
      lang = code;
      document.documentElement.lang = code;
      translatePage();
    });
  }

  // Tries each code in turn; keeps the placeholders if none loads.
  function loadFirst(codes) {
    var list = codes.filter(validLang);
    function next(i) {
      if (i >= list.length) return Promise.resolve();
      return loadTable(list[i]).catch(function () { return next(i + 1); });
    }
    return next(0);
  }

  function translatePage() {
    document.querySelectorAll('[data-i18n]').forEach(function (el) {
      el.textContent = t(el.getAttribute('data-i18n'));
    });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (el) {
      el.placeholder = t(el.getAttribute('data-i18n-placeholder'));
    });
    renderStatus();
  }

  // ---- state and status line -------------------------------------------------

  function setStatus(key, args) {
    statusKey = key;
    statusArgs = args || {};
    renderStatus();
  }

  function renderStatus() {
    var key = statusKey.indexOf('reason.') === 0 && !Object.prototype.hasOwnProperty.call(table, statusKey) ? 'reason.error' : statusKey;
    status.textContent = dtmfDigits ? t('dtmf', { digits: dtmfDigits }) : t(key, statusArgs);
    var final = body.dataset.state === 'ended' || body.dataset.state === 'failed';
    status.title = final ? t('click_to_close') : '';
    if (final) status.setAttribute('data-hint', t('click_to_close'));
    else status.removeAttribute('data-hint');
    queueLine.hidden = final || queuePlace < 1;
    queueLine.textContent = queuePlace > 0 ? t('queue_position', { position: queuePlace }) : '';
    body.dataset.queuePosition = String(final ? 0 : queuePlace);
  }

  function setState(state, reason) {
    body.dataset.state = state;
    if (reason) body.dataset.reason = reason;
    form.hidden = state !== 'login';
    callView.hidden = !(state === 'connecting' || state === 'ringing' || state === 'connected');
    body.classList.toggle('in-call', state === 'connected');
    renderStatus();
  }

  // An unknown code (a newer server) shows the generic error text; dataset.reason keeps the code. The key
  // is resolved when rendered, since a call may fail before the language table has arrived.
  function reasonText(code, retryAfter) {
    return { key: 'reason.' + code, args: { dest: dest, minutes: Math.max(1, Math.ceil((retryAfter || 60) / 60)) } };
  }

  // A final state: ended (normal end) or failed; the popup closes after a delay or on a click.
  function finish(reason, retryAfter) {
    var state = reason === 'hangup' || reason === 'remote_hangup' ? 'ended' : 'failed';
    var r = reasonText(reason, retryAfter);
    dropEarlyMic();
    stopCall(false);
    setState(state, reason);
    setStatus(r.key, r.args);
    clearTimeout(closeTimer);
    closeTimer = setTimeout(closeWindow, state === 'ended' ? ENDED_CLOSE_MS : FAILED_CLOSE_MS);
  }

  // In the widget's frame there is no window to close: the embedding page is told, and removes the frame (docs/widget.md).
  function closeWindow() {
    if (embedded) window.parent.postMessage({ type: 'switchboard:close' }, '*');
    else window.close();
  }

  // Back to the form, with an optional reason shown in the status line.
  function showLogin(reason, retryAfter) {
    dropEarlyMic();
    setState('login', reason);
    if (reason) {
      var r = reasonText(reason, retryAfter);
      setStatus(r.key, r.args);
    } else {
      setStatus('login_prompt', { dest: dest });
    }
    var account = $('account');
    (account.value ? $('password') : account).focus();
  }

  // ---- HTTP API ---------------------------------------------------------------

  // Resolves { ok, status, data } and never rejects for HTTP errors; a network failure rejects.
  function api(method, path, payload) {
    var init = { method: method, headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' };
    if (payload !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    return fetch(path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        data = data && typeof data === 'object' ? data : {};
        if (!r.ok && typeof data.error !== 'string') data.error = r.status === 401 ? 'unauthorized' : r.status === 400 ? 'bad_request' : 'error';
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }

  function fillLanguages(languages) {
    langSelect.textContent = '';
    (languages || [{ code: lang, name: t('_name') }]).forEach(function (l) {
      var o = document.createElement('option');
      o.value = l.code;
      o.textContent = l.name || l.code;
      langSelect.appendChild(o);
    });
    langSelect.value = lang;
  }

  // ---- the microphone, started early -----------------------------------------------

  var earlyMic = null;     // a getUserMedia promise started before we know whether we may call

  function startMic() {
    var media = navigator.mediaDevices && navigator.mediaDevices.getUserMedia
      ? navigator.mediaDevices.getUserMedia({ audio: true })
      : Promise.reject(new Error('no mediaDevices'));
    // When it resolved, marked only for the stream the call uses (an early one may be dropped for the login form).
    return media.then(function (stream) { return { stream: stream, at: performance.now() }; });
  }

  // Only where the user already allowed the microphone: a first visit still sees the prompt when the
  // call starts (after the login), not over the login form.
  function warmMic() {
    if (!navigator.permissions || !navigator.permissions.query) return;
    navigator.permissions.query({ name: 'microphone' }).then(function (p) {
      if (p.state !== 'granted' || earlyMic || call || body.dataset.state !== 'loading') return;
      earlyMic = startMic();
      earlyMic.catch(function () {});
    }, function () {});
  }

  function takeMic() {
    var m = earlyMic;
    earlyMic = null;
    return m || startMic();
  }

  function dropEarlyMic() {
    var m = earlyMic;
    earlyMic = null;
    if (m) m.then(function (got) { stopTracks(got.stream); }, function () {});
  }

  // What the server put in the page (docs/page.md, "What the page carries"): the session state, the chosen
  // language's texts and, for a signed link or token a browser navigated to, its verdict and ticket.
  function carried() {
    var el = $('sb-boot');
    if (!el) return null;
    try {
      var s = JSON.parse(el.textContent);
      return s && typeof s === 'object' ? s : null;
    } catch (err) { return null; }
  }

  function useTexts(s) {
    if (!s.texts || typeof s.texts !== 'object' || !validLang(s.lang)) return false;
    table = s.texts;
    lang = s.lang;
    document.documentElement.lang = lang;
    translatePage();
    return true;
  }

  // The session state comes with the page (or, for a page served without it, from GET /api/session, with the
  // language table guessed meanwhile); the call starts at once where it may: a session or a carried ticket.
  function start() {
    var query = '?destnumber=' + encodeURIComponent(dest) + (wantLang ? '&lang=' + encodeURIComponent(wantLang) : '');
    var fallbacks = [wantLang].concat(navigator.languages || [], ['en']).map(function (c) { return String(c).toLowerCase().split('-')[0]; });
    var boot = carried();
    var session = boot ? Promise.resolve({ ok: !boot.error, status: boot.error ? 400 : 200, data: boot }) : api('GET', '/api/session' + query);
    var guessed = boot && useTexts(boot) ? Promise.resolve() : loadFirst(fallbacks);
    if (boot) mark('session');
    if (!dest) {
      // The server is told (it logs the bad link); the page fails either way.
      session.catch(function () {});
      return guessed.then(function () { finish('no_destination'); });
    }
    var v = boot && (token ? boot.token : link && boot.link);
    if (boot && !boot.error && (token || link ? v && v.ticket : boot.authenticated)) {
      // Known now: no round trip stands between the page and the call.
      if (boot.account) $('account').value = boot.account;
      fillLanguages(boot.languages);
      placeCall(v ? v.ticket : null, true);
      return guessed;
    }
    if (!boot || ((token || link) && !v)) warmMic();
    return session.then(function (res) {
      if (!boot) mark('session');
      if (!res.ok) {
        return guessed.then(function () { finish(res.data.error === 'bad_destination' || res.status === 400 ? 'bad_destination' : res.data.error); });
      }
      var s = res.data;
      var texts = guessed.then(function () {
        return s.lang && s.lang !== lang ? loadFirst([s.lang].concat(fallbacks)) : undefined;
      }).then(function () { fillLanguages(s.languages); });
      v = token ? s.token : link && s.link;
      if (v) return texts.then(function () { finish(v.error || 'error', v.retryAfter); });
      if (token) return texts.then(tokenCall);
      if (link) return texts.then(linkCall);
      if (s.authenticated) {
        if (s.account) $('account').value = s.account;
        placeCall(null, true);
        return texts;
      }
      dropEarlyMic();
      return texts.then(function () { if (body.dataset.state === 'loading') showLogin(); });
    }, function () {
      return guessed.then(function () { finish('network'); });
    });
  }

  function linkCall() {
    setStatus('checking_link', { dest: dest });
    return api('POST', '/api/link', {
      destnumber: dest,
      user: params.get('user') || '',
      pass: params.get('pass') || '',
      time: params.get('time') || '',
      duration: params.get('duration') || ''
    }).then(function (res) {
      if (!res.ok) return finish(res.data.error, res.data.retryAfter);
      placeCall(res.data.ticket, false);
    }, function () { finish('network'); });
  }

  // The token is checked, not used: it is used when the call starts, so a reload before that keeps it.
  function tokenCall() {
    setStatus('checking_link', { dest: dest });
    return api('POST', '/api/token', { destnumber: dest, token: token }).then(function (res) {
      if (!res.ok) return finish(res.data.error, res.data.retryAfter);
      placeCall(res.data.ticket, false);
    }, function () { finish('network'); });
  }

  function onLogin(e) {
    e.preventDefault();
    var account = $('account').value.trim();
    var password = $('password').value;
    if (!account || !password) {
      showLogin('bad_credentials');
      return;
    }
    var btn = $('login');
    btn.disabled = true;
    setStatus('logging_in');
    api('POST', '/api/login', { account: account, password: password, remember: $('remember').checked, lang: lang })
      .then(function (res) {
        btn.disabled = false;
        if (!res.ok) {
          $('password').value = '';
          if (res.status === 401 || res.status === 429 || res.status === 400) return showLogin(res.data.error, res.data.retryAfter);
          return finish(res.data.error);
        }
        $('password').value = '';
        placeCall(res.data.ticket, false);
      }, function () {
        btn.disabled = false;
        showLogin('network');
      });
  }

  function onLanguage() {
    var code = langSelect.value;
    loadTable(code).catch(function () { langSelect.value = lang; });
  }

  function onLogout() {
    stopCall(true);
    clearTimeout(closeTimer);
    api('POST', '/api/logout', {}).catch(function () {}).then(function () {
      $('password').value = '';
      $('remember').checked = false;
      showLogin();
    });
  }

  // ---- the call ---------------------------------------------------------------

  // The microphone and (with socketFirst: a remembered session, or a link's ticket the page came with, which a
  // new page load replaces) the socket start together; a ticket from the login form waits for the microphone, so
  // a refused microphone spends no ticket. The peer connection is made once the microphone is ours (made at
  // once instead, with the track added later, it measured no faster: docs/benchmarks-latency.md), and the offer
  // goes when it is set and the socket is open.
  function placeCall(ticket, socketFirst) {
    var c = {
      pc: null, ws: null, mic: null, ping: 0, done: false, offerReady: false, offerSent: false,
      answered: false, resume: null, resumeAttempts: 0, resumeTimer: 0, iceTimer: 0, restarting: false, restartTimer: 0
    };
    call = c;
    setState('connecting');
    setStatus('connecting', { dest: dest });
    var mic = takeMic();
    if (socketFirst) openSocket(c, ticket);
    if (c.done) return;
    mic.then(function (got) {
      var stream = got.stream;
      if (c.done) { stopTracks(stream); return; }
      mark('mic', got.at);
      c.mic = stream;
      if (!c.ws) openSocket(c, ticket);
      if (c.done) return;
      var pc = c.pc = new RTCPeerConnection({ iceServers: [] });
      watchPeer(c, pc);
      pc.ontrack = function (ev) {
        var audio = $('remote');
        audio.srcObject = ev.streams && ev.streams[0] ? ev.streams[0] : new MediaStream([ev.track]);
        var p = audio.play();
        if (p && p.catch) p.catch(function () {});
      };
      stream.getAudioTracks().forEach(function (track) { pc.addTrack(track, stream); });
      return pc.createOffer().then(function (offer) {
        return pc.setLocalDescription(offer);
      }).then(function () {
        c.offerReady = true;
        sendOffer(c);
      }, function () {
        if (!c.done) finish('bad_offer');
      });
    }, function () {
      if (!c.done) finish('microphone');
    });
  }

  function openSocket(c, ticket, resume) {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/call' +
      (resume ? '?resume=' + encodeURIComponent(resume) : ticket ? '?ticket=' + encodeURIComponent(ticket) : '');
    var ws;
    try {
      ws = c.ws = new WebSocket(url);
    } catch (err) {
      finish('network');
      return;
    }
    ws.onopen = function () {
      if (ws !== c.ws) return;
      mark('ws_open');
      sendOffer(c);
      c.ping = setInterval(function () { send(c, { type: 'ping' }); }, PING_MS);
    };
    ws.onmessage = function (ev) {
      if (c.done || ws !== c.ws) return;
      var m;
      try { m = JSON.parse(ev.data); } catch (err) { return; }
      if (!m || typeof m.type !== 'string') return;
      onMessage(c, m);
    };
    ws.onclose = function () {
      if (ws !== c.ws) return;
      clearInterval(c.ping);
      if (c.done) return;
      if (c.resume) resumeLater(c);
      else finish('network');
    };
  }

  function sendOffer(c) {
    if (c.done || c.offerSent || !c.offerReady || !c.ws || c.ws.readyState !== WebSocket.OPEN) return;
    c.offerSent = true;
    send(c, { type: 'call', destnumber: dest, sdp: c.pc.localDescription.sdp });
    mark('offer_sent');
  }

  function onMessage(c, m) {
    switch (m.type) {
      case 'trying':
        setState('connecting');
        c.resume = typeof m.resume === 'string' ? m.resume : null;
        break;
      case 'resumed':
        onResumed(c, m);
        break;
      case 'offer_refused':
        onRestartRefused(c);
        break;
      case 'ringing':
        setState('ringing');
        setStatus('ringing', { dest: dest });
        break;
      case 'answer':
        if (c.answered) {
          onRestartAnswer(c, m);
          break;
        }
        mark('answer');
        c.answered = true;
        c.pc.setRemoteDescription({ type: 'answer', sdp: String(m.sdp || '') }).catch(function () {
          if (c.done) return;
          send(c, { type: 'hangup' });
          finish('error');
        });
        break;
      case 'connected':
        mark('connected');
        setState('connected');
        setStatus('connected', { dest: dest });
        sendPhases(c, false);
        watchQuality(c);
        break;
      case 'ended':
        // A resume the PBX no longer knows (the call ended meanwhile) is a lost connection for the user.
        if (c.resuming && m.reason === 'unauthorized') finish('network');
        else finish(typeof m.reason === 'string' && m.reason ? m.reason : 'error');
        break;
      case 'queue':
        queuePlace = Math.max(0, Math.floor(Number(m.position) || 0));
        renderStatus();
        break;
      case 'ping':
        send(c, { type: 'pong' });
        break;
      default:
        break;
    }
  }

  // ICE and DTLS as the browser sees them, and the first inbound audio: a remote track starts muted and
  // unmutes when its first packet arrives, so no polling is needed.
  function watchPeer(c, pc) {
    pc.addEventListener('iceconnectionstatechange', function () {
      if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') {
        mark('ice');
        sendPhases(c, false);
      }
      watchIce(c, pc);
    });
    pc.addEventListener('connectionstatechange', function () {
      if (pc.connectionState === 'connected') {
        mark('dtls');
        sendPhases(c, false);
      }
    });
    pc.addEventListener('track', function (ev) {
      ev.track.addEventListener('unmute', function () {
        mark('audio_in');
        sendPhases(c, false);
      });
    });
  }

  // ---- call quality (docs/signalling.md, "Call quality") ----------------------

  function watchQuality(c) {
    if (c.qualityTimer || !window.SwitchboardQuality) return;
    c.meter = new window.SwitchboardQuality.Meter();
    c.samples = 0;
    c.qualityTimer = setInterval(function () {
      if (c.pc) c.pc.getStats().then(function (report) {
        if (c.done) return;
        var f = c.meter.read(report, performance.now()), changed = !c.quality || f.warning !== c.quality.warning;
        c.quality = f;
        showQuality(f.warning);
        if (changed || ++c.samples % QUALITY_REPORT_EVERY === 0) sendQuality(c);
      }, function () {});
    }, QUALITY_MS);
  }

  function sendQuality(c) {
    if (c.quality) send(c, Object.assign({ type: 'quality' }, c.quality));
  }

  function showQuality(warning) {
    var el = $('quality');
    if (warning) body.dataset.qualityWarning = warning;
    else delete body.dataset.qualityWarning;
    el.textContent = warning ? t('quality.' + warning) : '';
    el.hidden = !warning;
  }

  // ---- network changes (docs/signalling.md, "Network changes") ------------------
  // The popup's state stays what it was (connected, ringing) while it recovers; only #status says so, and
  // body.dataset.iceRestarts / .resumes count what it did (for tests and support).

  function count(name) {
    body.dataset[name] = String((parseInt(body.dataset[name] || '0', 10) || 0) + 1);
  }

  function showRecovering(c, on) {
    if (c.done) return;
    if (on) {
      body.dataset.recovering = 'true';
      setStatus('reconnecting', { dest: dest });
    } else if (body.dataset.recovering) {
      delete body.dataset.recovering;
      var s = body.dataset.state;
      setStatus(s === 'connected' || s === 'ringing' ? s : 'connecting', { dest: dest });
    }
  }

  // ICE 'failed', or 'disconnected' for ICE_DISCONNECTED_MS: the path broke (RFC 8445 section 9).
  function watchIce(c, pc) {
    var s = pc.iceConnectionState;
    clearTimeout(c.iceTimer);
    if (s === 'failed') {
      restartIce(c);
    } else if (s === 'disconnected') {
      c.iceTimer = setTimeout(function () {
        if (pc.iceConnectionState === 'disconnected') restartIce(c);
      }, ICE_DISCONNECTED_MS);
    } else if (s === 'connected' || s === 'completed') {
      c.restarting = false;
      clearTimeout(c.restartTimer);
      if (c.ws && c.ws.readyState === WebSocket.OPEN) showRecovering(c, false);
    }
  }

  function iceBroken(pc) {
    return pc.iceConnectionState === 'failed' || pc.iceConnectionState === 'disconnected';
  }

  // A new offer with new ICE credentials: the PBX answers with its own new ones and keeps DTLS and the codec.
  function restartIce(c) {
    var pc = c.pc;
    if (c.done || !pc || !c.answered || c.restarting) return;
    showRecovering(c, true);
    if (!c.ws || c.ws.readyState !== WebSocket.OPEN) return; // again once the socket is resumed
    c.restarting = true;
    count('iceRestarts');
    clearTimeout(c.restartTimer);
    c.restartTimer = setTimeout(function () {
      if (c.done || !c.restarting) return;
      c.restarting = false;
      rollback(pc).then(function () { if (iceBroken(pc)) restartIce(c); });
    }, RESTART_RETRY_MS);
    pc.createOffer({ iceRestart: true }).then(function (offer) {
      return pc.setLocalDescription(offer);
    }).then(function () {
      send(c, { type: 'offer', sdp: pc.localDescription.sdp });
    }).catch(function () {
      c.restarting = false;
    });
  }

  function rollback(pc) {
    if (pc.signalingState !== 'have-local-offer') return Promise.resolve();
    return pc.setLocalDescription({ type: 'rollback' }).catch(function () {});
  }

  function onRestartAnswer(c, m) {
    var pc = c.pc;
    if (!pc || pc.signalingState !== 'have-local-offer') return;
    pc.setRemoteDescription({ type: 'answer', sdp: String(m.sdp || '') }).catch(function () {
      c.restarting = false;
    });
  }

  // The PBX kept the call as it was: drop our offer. The path stays broken; the PBX's consent timer decides.
  function onRestartRefused(c) {
    clearTimeout(c.restartTimer);
    rollback(c.pc);
  }

  function resumeLater(c) {
    if (c.resumeAttempts >= RESUME_DELAYS_MS.length) {
      finish('network');
      return;
    }
    showRecovering(c, true);
    var delay = RESUME_DELAYS_MS[c.resumeAttempts++];
    c.resumeTimer = setTimeout(function () {
      if (c.done) return;
      c.resuming = true;
      openSocket(c, null, c.resume);
    }, delay);
  }

  // The PBX gave the call back to this socket: a fresh token, and the state the call reached meanwhile.
  function onResumed(c, m) {
    c.resuming = false;
    c.resumeAttempts = 0;
    c.resume = typeof m.resume === 'string' ? m.resume : null;
    count('resumes');
    if (m.state === 'connected' && body.dataset.state !== 'connected') {
      mark('connected');
      setState('connected');
    } else if (m.state === 'ringing' && body.dataset.state === 'connecting') {
      setState('ringing');
    }
    var pc = c.pc;
    if (!c.answered && typeof m.sdp === 'string' && m.sdp) {
      onMessage(c, { type: 'answer', sdp: m.sdp });
    } else if (pc && c.restarting) {
      // The restart's answer may have been lost with the old socket: offer again.
      c.restarting = false;
      rollback(pc).then(function () { restartIce(c); });
      return;
    }
    if (pc && iceBroken(pc)) restartIce(c);
    else showRecovering(c, false);
  }

  function send(c, msg) {
    if (c.ws && c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify(msg));
  }

  function stopTracks(stream) {
    if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
  }

  // Ends the current call locally; with sendHangup, tells the PBX first. The microphone stops at
  // once, but the peer connection closes only once the PBX has the hang-up (it closes the socket)
  // or after HANGUP_GRACE_MS: else the media's close could reach the PBX before the hang-up.
  function stopCall(sendHangup) {
    var c = call;
    if (!c || c.done) return;
    c.done = true;
    call = null;
    clearInterval(c.ping);
    clearTimeout(c.iceTimer);
    clearTimeout(c.restartTimer);
    clearTimeout(c.resumeTimer);
    clearInterval(c.qualityTimer);
    showQuality(null);
    delete body.dataset.recovering;
    stopTracks(c.mic);
    $('remote').srcObject = null;
    clearTimeout(dtmfTimer);
    dtmfDigits = '';
    var grace = 0;
    function teardown() {
      clearTimeout(grace);
      if (c.ws && c.ws.readyState <= WebSocket.OPEN) {
        try { c.ws.close(1000); } catch (err) { /* already closing */ }
      }
      if (c.pc) c.pc.close();
    }
    if (sendHangup && c.ws && c.ws.readyState === WebSocket.OPEN) {
      sendPhases(c, true);
      sendQuality(c);
      send(c, { type: 'hangup' });
      c.ws.onclose = teardown;
      grace = setTimeout(teardown, HANGUP_GRACE_MS);
    } else {
      teardown();
    }
  }

  function hangup() {
    if (!call) return;
    stopCall(true);
    finish('hangup');
  }

  // ---- DTMF -------------------------------------------------------------------

  function pressDigit(digit) {
    var c = call;
    if (!c || !c.pc || body.dataset.state !== 'connected') return;
    var sender = c.pc.getSenders()[0];
    if (!sender || !sender.dtmf || !sender.dtmf.canInsertDTMF) return;
    // insertDTMF replaces the tones not yet played: append, so fast typing loses no digit.
    sender.dtmf.insertDTMF(sender.dtmf.toneBuffer + digit, 100, 70);
    dtmfDigits = (dtmfDigits + digit).slice(-12);
    renderStatus();
    clearTimeout(dtmfTimer);
    dtmfTimer = setTimeout(function () { dtmfDigits = ''; renderStatus(); }, DTMF_SHOW_MS);
  }

  function onKeypad(e) {
    var btn = e.target.closest('button[data-digit]');
    if (btn) pressDigit(btn.getAttribute('data-digit'));
  }

  function onKey(e) {
    if (e.ctrlKey || e.altKey || e.metaKey || !call) return;
    if (/^[0-9*#]$/.test(e.key)) {
      e.preventDefault();
      pressDigit(e.key);
      var btn = document.querySelector('button[data-digit="' + e.key + '"]');
      if (btn) {
        btn.classList.add('pressed');
        setTimeout(function () { btn.classList.remove('pressed'); }, 150);
      }
    }
  }

  // ---- wiring -----------------------------------------------------------------

  // A token's call has no session to log out of.
  if (token) $('logout').hidden = true;
  if (embedded) body.classList.add('embedded');

  form.addEventListener('submit', onLogin);
  langSelect.addEventListener('change', onLanguage);
  $('keypad').addEventListener('click', onKeypad);
  $('hangup').addEventListener('click', hangup);
  $('logout').addEventListener('click', onLogout);
  document.addEventListener('keydown', onKey);
  status.addEventListener('click', function () {
    var s = body.dataset.state;
    if (s === 'ended' || s === 'failed') closeWindow();
  });
  function onLeave() { stopCall(true); }
  window.addEventListener('pagehide', onLeave);
  window.addEventListener('beforeunload', onLeave);

  start();
}());
