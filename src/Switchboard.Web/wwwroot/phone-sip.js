// phone-sip.js: the small SIP user agent of phone.htm (docs/phone.md). SIP over WebSocket (RFC 7118) to the PBX's
// /api/phone/sip, which the login authorised: no digest here. Only what a softphone of one extension needs: REGISTER,
// INVITE in and out with ACK, CANCEL, BYE, a re-INVITE for hold (RFC 3264 section 8.4), REFER for a blind transfer
// with the NOTIFYs that report it (RFC 3515), and answers to whatever else arrives. The socket is reliable, so no request
// is retransmitted (RFC 3261 section 17.1.1.2, Timer A is not started on reliable transports); Timer B/F's 32 s still
// bounds every wait.
(function () {
  'use strict';

  var TIMEOUT_MS = 32000;      // 64 * T1 (RFC 3261 section 17.1.1.2)
  var REGISTER_EXPIRES = 300;
  var ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY';
  var COMPACT = { i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported', r: 'refer-to' };

  function random(bytes) {
    var a = new Uint8Array(bytes);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  // RFC 3261 section 7: a start line, headers (folded lines joined, compact names expanded), a body.
  function parse(text) {
    var end = text.indexOf('\r\n\r\n');
    if (end < 0) return null;
    var lines = text.slice(0, end).replace(/\r\n[ \t]+/g, ' ').split('\r\n');
    var first = lines[0].split(' ');
    var msg = { headers: {}, body: text.slice(end + 4) };
    if (first[0] === 'SIP/2.0') {
      msg.status = parseInt(first[1], 10);
      msg.reason = first.slice(2).join(' ');
    } else if (first[2] === 'SIP/2.0') {
      msg.method = first[0];
      msg.uri = first[1];
    } else {
      return null;
    }
    for (var i = 1; i < lines.length; i++) {
      var colon = lines[i].indexOf(':');
      if (colon < 1) continue;
      var name = lines[i].slice(0, colon).trim().toLowerCase();
      name = COMPACT[name] || name;
      (msg.headers[name] = msg.headers[name] || []).push(lines[i].slice(colon + 1).trim());
    }
    return msg;
  }

  function header(msg, name) { return (msg.headers[name] || [])[0] || ''; }

  // The tag parameter of a From/To value, outside the <uri> (RFC 3261 section 19.3).
  function tagOf(value) {
    var params = value.slice(value.lastIndexOf('>') + 1);
    var m = /;\s*tag=([^;\s]+)/i.exec(params);
    return m ? m[1] : '';
  }

  function uriOf(value) {
    var m = /<([^>]+)>/.exec(value);
    return m ? m[1] : value.split(';')[0].trim();
  }

  function cseqOf(msg) {
    var parts = header(msg, 'cseq').split(/\s+/);
    return { seq: parseInt(parts[0], 10), method: parts[1] };
  }

  function build(startLine, headers, body) {
    body = body || '';
    var out = [startLine];
    headers.forEach(function (h) { if (h[1] !== null && h[1] !== undefined) out.push(h[0] + ': ' + h[1]); });
    if (body) out.push('Content-Type: application/sdp');
    out.push('Content-Length: ' + new TextEncoder().encode(body).length);
    return out.join('\r\n') + '\r\n\r\n' + body;
  }

  // opts: { url, number, domain, onState(state, detail), onIncoming(call), onCallUpdate(call, event, detail) }
  function PhoneSip(opts) {
    this.opts = opts;
    this.host = random(6) + '.invalid';            // RFC 7118 section 5.2: an invalid domain in Via and Contact
    this.contactUser = random(4);
    this.viaTransport = /^wss:/.test(opts.url) ? 'WSS' : 'WS';
    this.aor = 'sip:' + opts.number + '@' + opts.domain;
    this.regCallId = random(12);
    this.regCseq = 0;
    this.fromTag = random(6);
    this.pending = {};     // client transactions by Via branch
    this.calls = {};       // dialogs by Call-ID
    this.regTimer = 0;
    this.ws = null;
  }

  PhoneSip.prototype.contact = function () {
    return '<sip:' + this.contactUser + '@' + this.host + ';transport=ws>';
  };

  PhoneSip.prototype.via = function (branch) {
    return 'SIP/2.0/' + this.viaTransport + ' ' + this.host + ';branch=' + branch;
  };

  PhoneSip.prototype.connect = function () {
    var self = this;
    var ws = new WebSocket(this.opts.url, 'sip');
    this.ws = ws;
    ws.onopen = function () { self.register(REGISTER_EXPIRES); };
    ws.onmessage = function (e) { if (typeof e.data === 'string') self.receive(e.data); };
    ws.onclose = function (e) {
      if (self.ws !== ws) return;
      self.ws = null;
      clearTimeout(self.regTimer);
      Object.keys(self.calls).forEach(function (id) { self.endCall(self.calls[id], 'network'); });
      self.opts.onState('closed', e.code);
    };
  };

  PhoneSip.prototype.close = function () {
    var ws = this.ws;
    this.ws = null;
    clearTimeout(this.regTimer);
    if (ws) ws.close(1000);
  };

  PhoneSip.prototype.send = function (text) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  };

  // A request in a client transaction: onResponse gets every response, onTimeout when none final came in time.
  PhoneSip.prototype.request = function (text, branch, onResponse) {
    var self = this;
    var tx = { onResponse: onResponse, timer: setTimeout(function () {
      delete self.pending[branch];
      onResponse({ status: 408, reason: 'Request Timeout', headers: {}, body: '' });
    }, TIMEOUT_MS) };
    this.pending[branch] = tx;
    this.send(text);
  };

  // ---- registration (RFC 3261 section 10) -----------------------------------------

  PhoneSip.prototype.register = function (expires) {
    var self = this;
    var branch = 'z9hG4bK' + random(8);
    clearTimeout(this.regTimer);
    this.request(build('REGISTER sip:' + this.opts.domain + ' SIP/2.0', [
      ['Via', this.via(branch)], ['Max-Forwards', '70'],
      ['From', '<' + this.aor + '>;tag=' + this.fromTag], ['To', '<' + this.aor + '>'],
      ['Call-ID', this.regCallId], ['CSeq', (++this.regCseq) + ' REGISTER'],
      ['Contact', this.contact() + ';expires=' + expires], ['Expires', String(expires)],
      ['User-Agent', 'Switchboard phone.htm'],
    ]), branch, function (res) {
      if (res.status < 200) return;
      if (expires === 0) return;
      if (res.status >= 300) {
        self.opts.onState('unregistered', res.status);
        return;
      }
      // Refresh at half the granted time (RFC 3261 section 10.2.4 leaves the margin to the client).
      var m = /expires=(\d+)/i.exec((res.headers.contact || []).join(','));
      var granted = m ? parseInt(m[1], 10) : parseInt(header(res, 'expires'), 10) || expires;
      self.regTimer = setTimeout(function () { self.register(REGISTER_EXPIRES); }, Math.max(30, granted / 2) * 1000);
      self.opts.onState('registered');
    });
  };

  PhoneSip.prototype.unregister = function () { this.register(0); };

  // ---- receiving ------------------------------------------------------------------

  PhoneSip.prototype.receive = function (text) {
    if (/^\s*$/.test(text)) return;                       // RFC 5626 keep-alive
    var msg = parse(text);
    if (!msg) return;
    if (msg.status) {
      var branch = (/branch=([^;,\s]+)/i.exec(header(msg, 'via')) || [])[1];
      var tx = branch && this.pending[branch];
      if (!tx) return;                                     // a retransmitted 2xx arrives here too: ACKed below
      if (msg.status >= 200) {
        clearTimeout(tx.timer);
        delete this.pending[branch];
      }
      tx.onResponse(msg);
      return;
    }
    this.onRequest(msg);
  };

  PhoneSip.prototype.respond = function (req, status, reason, extra, body) {
    var to = header(req, 'to');
    if (extra && extra.toTag && !tagOf(to)) to += ';tag=' + extra.toTag;
    var headers = (req.headers.via || []).map(function (v) { return ['Via', v]; });
    headers.push(['From', header(req, 'from')], ['To', to], ['Call-ID', header(req, 'call-id')], ['CSeq', header(req, 'cseq')]);
    // RFC 3261 section 12.1.1: a response that makes a dialog carries the request's Record-Route, so the caller's
    // ACK and BYE take the same proxies (another node's hop, docs/scale-out.md) and not our .invalid Contact.
    if (extra && extra.toTag && req.method === 'INVITE') {
      (req.headers['record-route'] || []).forEach(function (r) { headers.push(['Record-Route', r]); });
    }
    if (extra && extra.contact) headers.push(['Contact', this.contact()]);
    if (status === 405) headers.push(['Allow', ALLOW]);
    this.send(build('SIP/2.0 ' + status + ' ' + reason, headers, body));
  };

  PhoneSip.prototype.onRequest = function (req) {
    var id = header(req, 'call-id');
    var call = this.calls[id];
    if (req.method === 'CANCEL') {
      // RFC 3261 section 9.2: 200 to the CANCEL, 487 to the INVITE it cancels, if still unanswered.
      this.respond(req, call ? 200 : 481, call ? 'OK' : 'Call/Transaction Does Not Exist');
      if (call && call.state === 'incoming') {
        this.respond(call.invite, 487, 'Request Terminated', { toTag: call.localTag });
        this.endCall(call, 'cancelled');
      }
      return;
    }
    if (req.method === 'ACK') {
      if (call && call.state === 'answering') this.setCallState(call, 'connected');
      return;
    }
    if (req.method === 'INVITE' && !tagOf(header(req, 'to'))) {
      this.onInvite(req);
      return;
    }
    if (!call || tagOf(header(req, 'from')) !== call.remoteTag) {
      this.respond(req, req.method === 'OPTIONS' ? 200 : 481, req.method === 'OPTIONS' ? 'OK' : 'Call/Transaction Does Not Exist');
      return;
    }
    switch (req.method) {
      case 'BYE':
        this.respond(req, 200, 'OK');
        this.endCall(call, 'remote_hangup');
        break;
      case 'INVITE':
        // A re-INVITE: this agent keeps its session as it is (RFC 3261 section 14.2).
        this.respond(req, 488, 'Not Acceptable Here');
        break;
      case 'NOTIFY':
        this.respond(req, 200, 'OK');
        this.onNotify(call, req);
        break;
      default:
        this.respond(req, 200, 'OK');
    }
  };

  PhoneSip.prototype.onInvite = function (req) {
    var id = header(req, 'call-id');
    if (Object.keys(this.calls).length > 0) {
      // One call at a time: the PBX rings the extension's other phones meanwhile (RFC 3261 section 21.4.7).
      this.respond(req, 486, 'Busy Here', { toTag: random(6) });
      return;
    }
    var call = {
      id: id, direction: 'in', state: 'incoming', invite: req, offer: req.body,
      localTag: random(6), remoteTag: tagOf(header(req, 'from')), cseq: 0,
      localHdr: header(req, 'to'), remoteHdr: header(req, 'from'),
      remoteTarget: uriOf(header(req, 'contact')) || uriOf(header(req, 'from')),
      routes: (req.headers['record-route'] || []).slice(),
      caller: header(req, 'from'),
    };
    call.localHdr += ';tag=' + call.localTag;
    this.calls[id] = call;
    this.respond(req, 180, 'Ringing', { toTag: call.localTag, contact: true });
    this.opts.onIncoming(call);
  };

  // ---- calls --------------------------------------------------------------------------

  PhoneSip.prototype.setCallState = function (call, state, detail) {
    call.state = state;
    this.opts.onCallUpdate(call, state, detail);
  };

  PhoneSip.prototype.endCall = function (call, reason) {
    if (call.state === 'ended') return;
    delete this.calls[call.id];
    this.setCallState(call, 'ended', reason);
  };

  // Our answer to an incoming call: 200 with the SDP (RFC 3261 section 13.3.1.4); connected at its ACK.
  PhoneSip.prototype.answer = function (call, sdp) {
    if (call.state !== 'incoming') return;
    call.state = 'answering';
    this.respond(call.invite, 200, 'OK', { toTag: call.localTag, contact: true }, sdp);
  };

  PhoneSip.prototype.decline = function (call) {
    if (call.state !== 'incoming') return;
    this.respond(call.invite, 486, 'Busy Here', { toTag: call.localTag });
    this.endCall(call, 'hangup');
  };

  // A request within the dialog (RFC 3261 section 12.2.1.1).
  PhoneSip.prototype.inDialog = function (call, method, body, extra) {
    var branch = 'z9hG4bK' + random(8);
    var routes = call.direction === 'out' ? call.routes.slice().reverse() : call.routes;
    var headers = [['Via', this.via(branch)], ['Max-Forwards', '70'], ['From', call.localHdr], ['To', call.remoteHdr],
      ['Call-ID', call.id], ['CSeq', (method === 'ACK' ? call.inviteCseq : ++call.cseq) + ' ' + method]];
    routes.forEach(function (r) { headers.push(['Route', r]); });
    (extra || []).forEach(function (h) { headers.push(h); });
    return { branch: branch, text: build(method + ' ' + call.remoteTarget + ' SIP/2.0', headers, body) };
  };

  // The implicit subscription of our REFER (RFC 3515 section 2.4.4): each NOTIFY's message/sipfrag body is the status
  // line of the transfer's new leg; Subscription-State: terminated marks the last one.
  PhoneSip.prototype.onNotify = function (call, req) {
    if (!/^refer\b/i.test(header(req, 'event')) || !call.referring) return;
    var m = /^SIP\/2\.0\s+(\d{3})\s*(.*)/.exec(req.body.trim());
    if (!m) return;
    var status = parseInt(m[1], 10);
    var final = /^terminated/i.test(header(req, 'subscription-state')) || status >= 200;
    if (final) call.referring = false;
    this.opts.onCallUpdate(call, 'transfer', { status: status, reason: m[2], final: final });
  };

  // A blind transfer (RFC 5589 section 6): REFER with the target in our domain; the PBX answers 202 and reports the
  // new leg with NOTIFYs (onNotify). A refusal of the REFER itself is reported as a final transfer status.
  PhoneSip.prototype.refer = function (call, number) {
    var self = this;
    var target = 'sip:' + encodeURIComponent(number).replace(/%2A/g, '*') + '@' + this.opts.domain;
    var refer = this.inDialog(call, 'REFER', '', [['Refer-To', '<' + target + '>'], ['Referred-By', '<' + this.aor + '>'], ['Contact', this.contact()]]);
    call.referring = true;
    this.request(refer.text, refer.branch, function (res) {
      if (res.status < 300 || !call.referring) return;
      call.referring = false;
      self.opts.onCallUpdate(call, 'transfer', { status: res.status, reason: res.reason, final: true });
    });
  };

  // A re-INVITE with a new offer of ours (hold: a=sendonly, resume: a=sendrecv; RFC 3264 section 8.4). onDone gets the
  // final response; a 2xx is ACKed in the dialog, any other within the INVITE's transaction (RFC 3261 section 17.1.1.3).
  PhoneSip.prototype.reinvite = function (call, sdp, onDone) {
    var self = this;
    var invite = this.inDialog(call, 'INVITE', sdp, [['Contact', this.contact()], ['Allow', ALLOW]]);
    call.inviteCseq = call.cseq;
    this.request(invite.text, invite.branch, function (res) {
      if (res.status < 200) return;
      if (res.status < 300) {
        self.send(self.inDialog(call, 'ACK').text);
      } else if (res.headers.via) {
        self.send(build('ACK ' + call.remoteTarget + ' SIP/2.0', [
          ['Via', self.via(invite.branch)], ['Max-Forwards', '70'], ['From', call.localHdr], ['To', header(res, 'to')],
          ['Call-ID', call.id], ['CSeq', call.inviteCseq + ' ACK'],
        ]));
      }
      onDone(res);
    });
  };

  PhoneSip.prototype.hangup = function (call) {
    if (call.state === 'incoming') {
      this.decline(call);
    } else if (call.state === 'calling' && call.direction === 'out') {
      this.cancel(call);
    } else if (call.state === 'connected' || call.state === 'answering') {
      var bye = this.inDialog(call, 'BYE');
      this.request(bye.text, bye.branch, function () {});
      this.endCall(call, 'hangup');
    }
  };

  // An outgoing call with our offer; the PBX routes the Request-URI's user as the number dialled.
  PhoneSip.prototype.invite = function (number, sdp) {
    var self = this;
    var branch = 'z9hG4bK' + random(8);
    var call = {
      id: random(12), direction: 'out', state: 'calling', localTag: random(6), remoteTag: '', cseq: 1, inviteCseq: 1,
      localHdr: '', remoteHdr: '', routes: [], branch: branch, provisional: false, cancelWanted: false,
      requestUri: 'sip:' + encodeURIComponent(number).replace(/%2A/g, '*') + '@' + this.opts.domain,
    };
    call.localHdr = '<' + this.aor + '>;tag=' + call.localTag;
    call.remoteHdr = '<' + call.requestUri + '>';
    call.remoteTarget = call.requestUri;
    this.calls[call.id] = call;
    call.inviteText = build('INVITE ' + call.requestUri + ' SIP/2.0', [
      ['Via', this.via(branch)], ['Max-Forwards', '70'], ['From', call.localHdr], ['To', call.remoteHdr],
      ['Call-ID', call.id], ['CSeq', '1 INVITE'], ['Contact', this.contact()],
      ['Allow', ALLOW], ['User-Agent', 'Switchboard phone.htm'],
    ], sdp);
    this.request(call.inviteText, branch, function (res) { self.onInviteResponse(call, res); });
    return call;
  };

  PhoneSip.prototype.onInviteResponse = function (call, res) {
    if (res.status < 200) {
      call.provisional = true;
      if (call.cancelWanted) this.sendCancel(call);
      else if (res.status === 180 || res.status === 183) this.opts.onCallUpdate(call, 'progress', res.status);
      return;
    }
    var to = header(res, 'to');
    if (res.status < 300) {
      call.remoteTag = tagOf(to);
      call.remoteHdr = to;
      call.remoteTarget = uriOf(header(res, 'contact')) || call.requestUri;
      call.routes = (res.headers['record-route'] || []).slice();
      // RFC 3261 section 13.2.2.4: the 2xx is ACKed end to end, in the dialog.
      var ack = this.inDialog(call, 'ACK');
      this.send(ack.text);
      if (call.cancelWanted || call.state === 'ended') {
        var bye = this.inDialog(call, 'BYE');
        this.request(bye.text, bye.branch, function () {});
        this.endCall(call, 'hangup');
        return;
      }
      this.setCallState(call, 'connected', res.body);
      return;
    }
    // RFC 3261 section 17.1.1.3: a non-2xx final is ACKed within the INVITE's transaction (same branch).
    this.send(build('ACK ' + call.requestUri + ' SIP/2.0', [
      ['Via', this.via(call.branch)], ['Max-Forwards', '70'], ['From', call.localHdr], ['To', to],
      ['Call-ID', call.id], ['CSeq', '1 ACK'],
    ]));
    this.endCall(call, call.cancelWanted ? 'hangup' : statusReason(res.status));
  };

  // RFC 3261 section 9.1: CANCEL only once a provisional response shows the INVITE arrived.
  PhoneSip.prototype.cancel = function (call) {
    call.cancelWanted = true;
    if (call.provisional) this.sendCancel(call);
  };

  PhoneSip.prototype.sendCancel = function (call) {
    if (call.cancelSent) return;
    call.cancelSent = true;
    var branch = call.branch;
    this.send(build('CANCEL ' + call.requestUri + ' SIP/2.0', [
      ['Via', this.via(branch)], ['Max-Forwards', '70'], ['From', call.localHdr], ['To', '<' + call.requestUri + '>'],
      ['Call-ID', call.id], ['CSeq', '1 CANCEL'],
    ]));
  };

  // The PBX's final responses as the popup's reason codes (docs/signalling.md, "Reason codes").
  function statusReason(status) {
    switch (status) {
      case 403: return 'not_permitted';
      case 404: case 484: return 'not_found';
      case 408: case 480: return 'unavailable';
      case 486: case 600: return 'busy';
      case 487: return 'no_answer';
      case 488: case 606: return 'bad_offer';
      case 603: return 'declined';
      default: return status >= 500 ? 'error' : 'unavailable';
    }
  }

  window.PhoneSip = PhoneSip;
  PhoneSip.parse = parse;
})();
