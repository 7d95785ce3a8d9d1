// phone.htm: a softphone for one extension in the browser. Contract and flow: docs/phone.md.
// The login is the popup's (makecall.js: the same API and form); the phone then registers over its SIP WebSocket
// (phone-sip.js) so that the extension's calls ring here, beside its SIP phones.
(function () {
  'use strict';

  var RECONNECT_MS = [1000, 2000, 5000, 10000, 30000];
  var DTMF_SHOW_MS = 1500;

  var $ = function (id) { return document.getElementById(id); };
  var body = document.body;
  var status = $('status');
  var peerLine = $('peer');
  var form = $('form');
  var phoneView = $('phone');
  var numberField = $('number');
  var langSelect = $('lang');
  var params = new URLSearchParams(location.search);

  var table = {};
  var lang = 'en';
  var statusKey = 'loading';
  var statusArgs = {};
  var account = '';           // number@domain
  var remembered = false;     // logged in with the session cookie: the socket may be reopened without a login
  var sip = null;
  var call = null;            // the SIP call object (phone-sip.js), with pc, mic
  var reconnects = 0;
  var dtmfDigits = '';
  var dtmfTimer = 0;

  // ---- translation (as makecall.js, with the phone's own tables) ------------------------

  function t(key, args) {
    var s = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
    return String(s).replace(/\{(\w+)\}/g, function (m, name) { return args && args[name] !== undefined ? String(args[name]) : m; });
  }

  function validLang(code) { return /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(code || ''); }

  function loadTable(code) {
    if (!validLang(code)) return Promise.resolve();
    return fetch('/phone-i18n/' + code + '.json', { cache: 'no-cache' }).then(function (r) {
      if (!r.ok) throw new Error('i18n ' + r.status);
      return r.json();
    }).then(function (json) {
      table = json;
      lang = code;
      document.documentElement.lang = code;
      document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.getAttribute('data-i18n')); });
      document.querySelectorAll('[data-i18n-placeholder]').forEach(function (el) { el.placeholder = t(el.getAttribute('data-i18n-placeholder')); });
      render();
    }).catch(function () {});
  }

  // ---- state ---------------------------------------------------------------------------

  function setStatus(key, args) {
    statusKey = key;
    statusArgs = args || {};
    render();
  }

  function render() {
    var key = statusKey.indexOf('reason.') === 0 && !Object.prototype.hasOwnProperty.call(table, statusKey) ? 'reason.error' : statusKey;
    status.textContent = dtmfDigits ? t('dtmf', { digits: dtmfDigits }) : t(key, statusArgs);
  }

  function setState(state, reason) {
    body.dataset.state = state;
    if (reason !== undefined) body.dataset.reason = reason;
    var inPhone = state === 'idle' || state === 'incoming' || state === 'outgoing' || state === 'connected';
    form.hidden = state !== 'login';
    phoneView.hidden = !inPhone;
    numberField.hidden = state !== 'idle';
    $('dial').hidden = state !== 'idle';
    $('answer').hidden = state !== 'incoming';
    $('hangup').hidden = !(state === 'incoming' || state === 'outgoing' || state === 'connected');
    $('mute').hidden = $('hold').hidden = $('transfer').hidden = state !== 'connected';
    $('logout').hidden = state !== 'idle';
    $('keypad').hidden = state === 'incoming';
    body.classList.toggle('in-call', state === 'connected');
    peerLine.hidden = !(state === 'incoming' || state === 'outgoing' || state === 'connected');
    render();
  }

  function reasonArgs(retryAfter) {
    return { minutes: Math.max(1, Math.ceil((retryAfter || 60) / 60)) };
  }

  function showLogin(reason, retryAfter) {
    setState('login', reason || '');
    setStatus(reason ? 'reason.' + reason : 'login_prompt', reasonArgs(retryAfter));
    var field = $('account');
    (field.value ? $('password') : field).focus();
  }

  // ---- HTTP API (as makecall.js) --------------------------------------------------------

  function api(method, path, payload) {
    var init = { method: method, headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' };
    if (payload !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    return fetch(path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        data = data && typeof data === 'object' ? data : {};
        if (!r.ok && typeof data.error !== 'string') data.error = r.status === 401 ? 'unauthorized' : 'error';
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }

  function start() {
    var wanted = params.get('lang') || '';
    api('GET', '/api/phone/session' + (validLang(wanted) ? '?lang=' + wanted : '')).then(function (res) {
      var data = res.data;
      (data.languages || []).forEach(function (l) {
        var o = document.createElement('option');
        o.value = l.code;
        o.textContent = l.name;
        langSelect.appendChild(o);
      });
      langSelect.value = data.lang || 'en';
      return loadTable(data.lang || 'en').then(function () {
        if (data.authenticated) {
          account = data.account;
          remembered = true;
          openPhone(null);
        } else {
          showLogin();
        }
      });
    }).catch(function () { setState('offline', 'network'); setStatus('reason.network'); });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    unlockAudio();
    setStatus('logging_in');
    $('login').disabled = true;
    var remember = $('remember').checked;
    api('POST', '/api/login', { account: $('account').value.trim(), password: $('password').value, remember: remember, lang: langSelect.value })
      .then(function (res) {
        $('login').disabled = false;
        if (!res.ok) {
          showLogin(res.data.error, res.data.retryAfter);
          return;
        }
        $('password').value = '';
        account = res.data.account;
        remembered = remember;
        loadTable(res.data.lang || langSelect.value);
        openPhone(res.data.ticket);
      })
      .catch(function () { $('login').disabled = false; showLogin('network'); });
  });

  langSelect.addEventListener('change', function () { loadTable(langSelect.value); });

  // ---- the SIP side ------------------------------------------------------------------------

  function openPhone(ticket) {
    var at = account.indexOf('@');
    setState('connecting', '');
    setStatus('registering', { account: account });
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/phone/sip' + (ticket ? '?ticket=' + encodeURIComponent(ticket) : '');
    sip = new window.PhoneSip({
      url: url, number: account.slice(0, at), domain: account.slice(at + 1),
      onState: onSipState, onIncoming: onIncoming, onCallUpdate: onCallUpdate,
    });
    sip.connect();
  }

  function onSipState(state, detail) {
    if (state === 'registered') {
      reconnects = 0;
      body.dataset.registered = 'true';
      if (!call) {
        setState('idle');
        setStatus('ready', { account: account });
      }
    } else if (state === 'unregistered') {
      body.dataset.registered = 'false';
      setState('offline', 'unavailable');
      setStatus('reason.not_registered', { code: detail });
    } else if (state === 'closed') {
      body.dataset.registered = 'false';
      sip = null;
      if (body.dataset.state === 'login') return;
      // A login's ticket is spent: without a remembered session the user logs in again.
      if (!remembered) {
        showLogin('network');
        return;
      }
      setState('offline', 'network');
      setStatus('reason.network');
      setTimeout(function () { if (!sip && remembered) openPhone(null); }, RECONNECT_MS[Math.min(reconnects++, RECONNECT_MS.length - 1)]);
    }
  }

  function peerName(value) {
    var m = /^\s*"?([^"<]*)"?\s*<sip:([^@>;]*)/.exec(value || '');
    if (!m) return '';
    var name = m[1].trim();
    return name && name !== m[2] ? name + ' (' + decodeURIComponent(m[2]) + ')' : decodeURIComponent(m[2]);
  }

  function onIncoming(c) {
    call = c;
    peerLine.textContent = peerName(c.caller);
    setState('incoming', '');
    setStatus('incoming', { peer: peerLine.textContent });
    ring.start('ring');
    if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia({ audio: true }).then(function (mic) {
      if (call === c && c.state !== 'ended') c.mic = mic; else mic.getTracks().forEach(function (tr) { tr.stop(); });
    }).catch(function () {});
  }

  function onCallUpdate(c, event, detail) {
    if (c !== call) return;
    if (event === 'progress') {
      setStatus('ringing', { peer: peerLine.textContent });
      ring.start('ringback');
    } else if (event === 'connected') {
      ring.stop();
      if (c.direction === 'out') {
        c.pc.setRemoteDescription({ type: 'answer', sdp: detail }).catch(function () { sip.hangup(c); });
      }
      setState('connected', '');
      setStatus('connected', { peer: peerLine.textContent });
    } else if (event === 'transfer') {
      onTransferProgress(c, detail);
    } else if (event === 'ended') {
      ring.stop();
      closeMedia(c);
      call = null;
      $('mute').setAttribute('aria-pressed', 'false');
      $('hold').setAttribute('aria-pressed', 'false');
      delete body.dataset.held;
      // The PBX ends our leg once the target answered (its BYE may come before or after the final NOTIFY).
      var reason = c.transferred ? 'transferred' : detail === 'cancelled' ? 'missed' : detail;
      delete body.dataset.transfer;
      if (!sip) return;
      setState('idle', reason);
      setStatus('reason.' + reason, { peer: peerLine.textContent });
    }
  }

  function closeMedia(c) {
    if (c.pc) c.pc.close();
    if (c.mic) c.mic.getTracks().forEach(function (tr) { tr.stop(); });
    $('remote').srcObject = null;
  }

  function newPeerConnection(c, mic) {
    var pc = new RTCPeerConnection({ iceServers: [] });
    c.pc = pc;
    c.mic = mic;
    mic.getTracks().forEach(function (tr) { pc.addTrack(tr, mic); });
    pc.ontrack = function (e) { $('remote').srcObject = e.streams[0] || new MediaStream([e.track]); };
    return pc;
  }

  function microphone(c) {
    return c.mic ? Promise.resolve(c.mic) : navigator.mediaDevices.getUserMedia({ audio: true });
  }

  // The PBX's offer is ICE-lite: our answer needs no candidates of ours, but waiting briefly for them costs little.
  function gathered(pc) {
    return new Promise(function (resolve) {
      if (pc.iceGatheringState === 'complete') { resolve(); return; }
      var timer = setTimeout(resolve, 1000);
      pc.addEventListener('icegatheringstatechange', function () {
        if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
      });
    });
  }

  function answer() {
    var c = call;
    if (!c || c.state !== 'incoming') return;
    ring.stop();
    unlockAudio();
    setStatus('answering');
    microphone(c).then(function (mic) {
      if (c.state !== 'incoming') { mic.getTracks().forEach(function (tr) { tr.stop(); }); return null; }
      var pc = newPeerConnection(c, mic);
      return pc.setRemoteDescription({ type: 'offer', sdp: c.offer })
        .then(function () { return pc.createAnswer(); })
        .then(function (a) { return pc.setLocalDescription(a); })
        .then(function () { return gathered(pc); })
        .then(function () { if (c.state === 'incoming') sip.answer(c, pc.localDescription.sdp); });
    }).catch(function () { if (c.state === 'incoming') { sip.decline(c); setStatus('reason.microphone'); } });
  }

  function dial() {
    var number = numberField.value.replace(/[\s()\-./]/g, '');
    if (!/^\+?[0-9*#]{1,32}$/.test(number) || !sip || call) {
      body.dataset.reason = 'bad_destination';
      setStatus('reason.bad_destination');
      return;
    }
    unlockAudio();
    peerLine.textContent = number;
    var c = { state: 'preparing', direction: 'out' };
    call = c;
    setState('outgoing', '');
    setStatus('calling', { peer: number });
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (mic) {
      if (call !== c) { mic.getTracks().forEach(function (tr) { tr.stop(); }); return; }
      var pc = newPeerConnection(c, mic);
      return pc.createOffer().then(function (o) { return pc.setLocalDescription(o); }).then(function () {
        if (call !== c) { closeMedia(c); return; }
        // The PBX is ICE-lite and answers with its own candidates: the offer goes at once (as the popup's).
        var placed = sip.invite(number, pc.localDescription.sdp);
        placed.pc = pc;
        placed.mic = mic;
        call = placed;
      });
    }).catch(function () {
      if (call === c) { closeMedia(c); call = null; setState('idle', 'microphone'); setStatus('reason.microphone'); }
    });
  }

  function hangup() {
    var c = call;
    if (!c) return;
    if (c.state === 'preparing') {
      call = null;
      ring.stop();
      setState('idle', 'hangup');
      setStatus('reason.hangup');
      return;
    }
    sip.hangup(c);
  }

  // ---- keypad, mute, hold -----------------------------------------------------------------

  function press(digit) {
    if (body.dataset.state === 'idle') {
      numberField.value += digit;
      return;
    }
    if (!call || call.state !== 'connected' || !call.pc) return;
    // RFC 4733 events in the media stream; the PBX relays them to the far side (or SIP INFO where it needs that).
    var sender = call.pc.getSenders().filter(function (s) { return s.dtmf; })[0];
    if (!sender || !sender.dtmf.canInsertDTMF) return;
    sender.dtmf.insertDTMF(digit, 100, 70);
    dtmfDigits = (dtmfDigits + digit).slice(-12);
    body.dataset.digits = (body.dataset.digits || '') + digit;
    render();
    clearTimeout(dtmfTimer);
    dtmfTimer = setTimeout(function () { dtmfDigits = ''; render(); }, DTMF_SHOW_MS);
  }

  function toggleMute() {
    if (!call || !call.mic) return;
    var muted = $('mute').getAttribute('aria-pressed') !== 'true';
    $('mute').setAttribute('aria-pressed', String(muted));
    body.dataset.muted = String(muted);
    applySending();
  }

  // Hold is signalled (RFC 3264 section 8.4): a re-INVITE whose offer says a=sendonly, and a=sendrecv to resume; the
  // PBX then plays its hold music to the other party (docs/phone.md, "Hold"). Here our microphone stops and the far
  // side's sound is not played meanwhile. A refused re-INVITE leaves the call as it was, and says so.
  function toggleHold() {
    var c = call;
    if (!c || !c.pc || c.state !== 'connected' || c.holdPending) return;
    var held = $('hold').getAttribute('aria-pressed') !== 'true';
    var transceiver = c.pc.getTransceivers()[0];
    if (!transceiver) return;
    c.holdPending = true;
    $('hold').disabled = true;
    transceiver.direction = held ? 'sendonly' : 'sendrecv';
    c.pc.createOffer().then(function (o) { return c.pc.setLocalDescription(o); }).then(function () {
      sip.reinvite(c, c.pc.localDescription.sdp, function (res) {
        var done = function () { c.holdPending = false; $('hold').disabled = false; };
        if (call !== c) { done(); return; }
        if (res.status >= 300) {
          // RFC 3261 section 14.2: the session stays as it was.
          c.pc.setLocalDescription({ type: 'rollback' }).catch(function () {}).then(function () {
            transceiver.direction = held ? 'sendrecv' : 'sendonly';
            done();
            setStatus('hold_failed', { code: res.status });
          });
          return;
        }
        c.pc.setRemoteDescription({ type: 'answer', sdp: res.body }).then(function () {
          done();
          $('hold').setAttribute('aria-pressed', String(held));
          body.dataset.held = String(held);
          $('remote').muted = held;
          setStatus(held ? 'held' : 'connected', { peer: peerLine.textContent });
          applySending();
        }).catch(function () { done(); sip.hangup(c); });
      });
    }).catch(function () { c.holdPending = false; $('hold').disabled = false; transceiver.direction = held ? 'sendrecv' : 'sendonly'; });
  }

  // ---- blind transfer (RFC 5589 section 6) -------------------------------------------------

  // Asks for the number, then REFER over our SIP socket; the NOTIFYs say how the new leg went (onTransferProgress).
  function transfer() {
    var c = call;
    if (!c || c.state !== 'connected' || c.transferring) return;
    var answerText = window.prompt(t('transfer_prompt'), '');
    if (answerText === null) return;
    var number = answerText.replace(/[\s()\-./]/g, '');
    if (!/^\+?[0-9*#]{1,32}$/.test(number)) {
      setStatus('reason.bad_destination');
      return;
    }
    c.transferring = true;
    c.transferTarget = number;
    body.dataset.transfer = 'pending';
    $('transfer').disabled = true;
    setStatus('transferring', { peer: number });
    sip.refer(c, number);
  }

  // 1xx: still under way. 2xx: the target answered, and the PBX ends our leg. Anything else: the transfer failed, the
  // call goes on here as before.
  function onTransferProgress(c, progress) {
    if (!progress.final) return;
    c.transferring = false;
    $('transfer').disabled = false;
    if (progress.status >= 200 && progress.status < 300) {
      c.transferred = true;
      body.dataset.transfer = 'done';
      setStatus('transferred', { peer: c.transferTarget });
      if (call === c) sip.hangup(c);
      return;
    }
    body.dataset.transfer = 'failed';
    setStatus('transfer_failed', { peer: c.transferTarget, reason: transferReason(progress.status) });
  }

  function transferReason(status) {
    var key = 'transfer_reason.' + status;
    return Object.prototype.hasOwnProperty.call(table, key) ? t(key) : t('transfer_reason.other', { code: status });
  }

  function applySending() {
    var off = $('mute').getAttribute('aria-pressed') === 'true' || $('hold').getAttribute('aria-pressed') === 'true';
    if (call && call.mic) call.mic.getAudioTracks().forEach(function (tr) { tr.enabled = !off; });
  }

  document.querySelectorAll('button[data-digit]').forEach(function (b) {
    b.addEventListener('click', function () { press(b.getAttribute('data-digit')); });
  });

  document.addEventListener('keydown', function (e) {
    if (e.target === numberField && e.key === 'Enter') { dial(); return; }
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (/^[0-9*#]$/.test(e.key)) press(e.key);
  });

  $('dial').addEventListener('click', dial);
  $('answer').addEventListener('click', answer);
  $('hangup').addEventListener('click', hangup);
  $('mute').addEventListener('click', toggleMute);
  $('hold').addEventListener('click', toggleHold);
  $('transfer').addEventListener('click', transfer);
  $('logout').addEventListener('click', function () {
    var s = sip;
    sip = null;
    if (s) { s.unregister(); setTimeout(function () { s.close(); }, 200); }
    remembered = false;
    api('POST', '/api/logout').then(function () { showLogin(); }, function () { showLogin(); });
  });

  window.addEventListener('pagehide', function () {
    if (call && sip) sip.hangup(call);
    if (sip) sip.close();
  });

  // ---- tones: WebAudio, no audio file -----------------------------------------------------

  var audio = null;

  // Browsers start an AudioContext only after a user gesture (or with an autoplay policy that allows it): made at the
  // first click or key, resumed whenever one comes.
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    if (audio.state === 'suspended') audio.resume().catch(function () {});
    return audio;
  }
  document.addEventListener('pointerdown', unlockAudio, { once: true });

  // Ringing: 440 + 480 Hz, 1 s on, 2 s off; ringback while the far side rings: 425 Hz, 1 s on, 4 s off (ITU-T E.180).
  var ring = (function () {
    var timer = 0;
    var nodes = [];
    function burst(freqs, seconds) {
      var ctx = unlockAudio();
      if (!ctx) return;
      var gain = ctx.createGain();
      gain.gain.value = 0.12;
      gain.connect(ctx.destination);
      freqs.forEach(function (f) {
        var o = ctx.createOscillator();
        o.frequency.value = f;
        o.connect(gain);
        o.start();
        o.stop(ctx.currentTime + seconds);
        nodes.push(o);
      });
    }
    function stop() {
      clearInterval(timer);
      timer = 0;
      nodes.forEach(function (o) { try { o.stop(); } catch (e) { /* already stopped */ } });
      nodes = [];
      delete body.dataset.tone;
    }
    function start(kind) {
      if (body.dataset.tone === kind) return;
      stop();
      var freqs = kind === 'ring' ? [440, 480] : [425];
      var period = kind === 'ring' ? 3000 : 5000;
      body.dataset.tone = kind;
      burst(freqs, 1);
      timer = setInterval(function () { nodes = []; burst(freqs, 1); }, period);
    }
    return { start: start, stop: stop };
  })();

  start();
})();
