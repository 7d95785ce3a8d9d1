// The /admin portal (docs/admin.md). Plain JS, no third-party code: every string comes from /admin/i18n/<lang>.json,
// every datum from /api/admin, and every change carries the session's CSRF token in X-CSRF-Token.
'use strict';
(function () {
  const $ = (selector) => document.querySelector(selector);
  const REFRESH_MS = 2000;
  let strings = {};
  let session = null;
  let view = 'overview';
  let timer = 0;
  let domain = '';

  const t = (key, values) => (strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => (values && name in values ? values[name] : ''));
  const dash = (value) => (value === null || value === undefined || value === '' ? '–' : String(value));

  function say(text, kind) {
    const message = $('#message');
    message.textContent = text || '';
    message.dataset.kind = kind || '';
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function button(label, onClick, className) {
    const node = element('button', label, className);
    node.type = 'button';
    node.addEventListener('click', onClick);
    return node;
  }

  // ---- what the admin typed survives a redraw ----
  // Every change redraws its view from the server. A field the admin changed and has not saved (in another row, or the
  // limits of a row whose permissions are saved first) must not be thrown away by that: a field whose value differs
  // from what was last drawn into it is an edit, and the redrawn row with the same key gets it back.
  const fieldsOf = (row) => [...row.querySelectorAll('input, select, textarea')];
  const valueOf = (field) => (field.type === 'checkbox' ? String(field.checked) : field.value);
  const edited = (field) => field.dataset.drawn !== undefined && valueOf(field) !== field.dataset.drawn;

  function setValue(field, value) {
    if (field.type === 'checkbox') field.checked = value === 'true';
    else field.value = value;
  }

  /** Replaces the rows of tbody with rows (each keyed by its dataset[key]), carrying unsaved edits over. */
  function replaceRows(tbody, rows, key) {
    const typed = new Map();
    for (const row of tbody.rows) {
      const edits = fieldsOf(row).map((field) => (edited(field) ? valueOf(field) : null));
      if (edits.some((value) => value !== null)) typed.set(row.dataset[key], edits);
    }
    for (const row of rows) {
      const edits = typed.get(row.dataset[key]) || [];
      fieldsOf(row).forEach((field, i) => {
        field.dataset.drawn = valueOf(field);
        if (edits[i] !== null && edits[i] !== undefined) setValue(field, edits[i]);
      });
    }
    tbody.replaceChildren(...rows);
  }

  /** Draws value into a field outside a table (a form of the view) unless the admin has changed it since, for this owner. */
  function drawField(field, value, owner) {
    const text = value === null || value === undefined ? '' : String(value);
    if (field.dataset.owner !== owner || !edited(field)) setValue(field, text);
    field.dataset.drawn = text;
    field.dataset.owner = owner;
  }

  async function api(method, path, body) {
    const init = { method, headers: {}, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET') init.headers['X-CSRF-Token'] = session ? session.csrfToken : '';
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const data = response.status === 204 || response.status === 202 ? {} : await response.json().catch(() => ({}));
    if (response.status === 401 && path !== '/api/login') {
      showLogin();
      throw new Error(t('error.not_authenticated'));
    }
    if (!response.ok) {
      // A refused setting's detail is the CLI's own message ("--pattern: '0.49' has '.' that is not at its end ...").
      const detail = data.detail ? ' ' + data.detail : '';
      throw new Error(t('error.' + (data.error || 'http'), { field: data.field || '', status: response.status }) + detail);
    }
    return data;
  }

  function scoped(path, extra) {
    const query = new URLSearchParams(extra || {});
    if (domain) query.set('domain', domain);
    const text = query.toString();
    return text ? path + '?' + text : path;
  }

  // ---- language ----

  async function loadLanguage(code) {
    const response = await fetch('/admin/i18n/' + code + '.json', { cache: 'no-cache' });
    strings = await response.json();
    document.documentElement.lang = code;
    $('#lang').value = code;
    document.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.getAttribute('data-i18n')); });
    document.querySelectorAll('select.roles').forEach(fillRoles);
    try { localStorage.setItem('sb-admin-lang', code); } catch (e) { /* private mode: the choice lasts this page */ }
  }

  function chosenLanguage() {
    const asked = new URLSearchParams(location.search).get('lang');
    let stored = null;
    try { stored = localStorage.getItem('sb-admin-lang'); } catch (e) { /* none */ }
    const wanted = asked || stored || (navigator.language || 'en').slice(0, 2);
    return wanted === 'de' ? 'de' : 'en';
  }

  function fillRoles(select) {
    const current = select.value || 'user';
    select.replaceChildren();
    const roles = session && session.role === 'system-admin' ? ['user', 'admin', 'system-admin'] : ['user', 'admin'];
    for (const role of roles) {
      const option = element('option', t('role.' + role));
      option.value = role;
      select.append(option);
    }
    select.value = roles.includes(current) ? current : 'user';
  }

  // ---- session ----

  function showLogin() {
    session = null;
    clearTimeout(timer);
    document.body.dataset.state = 'login';
    $('#login-form').hidden = false;
    $('#tabs').hidden = true;
    $('#logout').hidden = true;
    $('#domain').hidden = true;
    $('#who').textContent = '';
    document.querySelectorAll('.view').forEach((node) => { node.hidden = true; });
  }

  async function start() {
    try {
      session = await api('GET', '/api/admin/session');
    } catch (error) {
      if (!session) {
        if (document.body.dataset.state !== 'login') showLogin();
        if (error.message !== t('error.not_authenticated')) say(error.message, 'error');
        return;
      }
    }
    document.body.dataset.state = 'ready';
    $('#login-form').hidden = true;
    $('#tabs').hidden = false;
    $('#logout').hidden = false;
    $('#who').textContent = session.account + ' (' + t('role.' + session.role) + ')';
    const domains = $('#domain');
    domains.replaceChildren();
    if (session.role === 'system-admin') {
      const all = element('option', t('domain.all'));
      all.value = '';
      domains.append(all);
    }
    for (const name of session.domains) {
      const option = element('option', name);
      option.value = name;
      domains.append(option);
    }
    domain = session.role === 'system-admin' ? '' : session.domain;
    domains.value = domain;
    domains.hidden = session.domains.length < 2;
    $('#link-minutes').max = Math.floor(session.maxLinkDurationSeconds / 60);
    document.querySelectorAll('select.roles').forEach(fillRoles);
    show(view);
  }

  async function login(event) {
    event.preventDefault();
    say('');
    try {
      const response = await fetch('/api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ account: $('#account').value.trim(), password: $('#password').value, remember: true, lang: document.documentElement.lang }),
      });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        say(t('error.' + (data.error || 'http'), { minutes: Math.ceil((data.retryAfter || 60) / 60), status: response.status }), 'error');
        return;
      }
      $('#password').value = '';
      await start();
    } catch (error) {
      say(error.message, 'error');
    }
  }

  async function logout() {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
    showLogin();
  }

  // ---- views ----

  function show(name) {
    view = name;
    clearTimeout(timer);
    document.body.dataset.view = name;
    document.querySelectorAll('#tabs button').forEach((tab) => tab.setAttribute('aria-selected', String(tab.dataset.view === name)));
    document.querySelectorAll('.view').forEach((node) => { node.hidden = node.id !== 'view-' + name; });
    refresh();
  }

  // While a view redraws, <main> is aria-busy (WAI-ARIA 1.2): what it shows is about to be replaced.
  let redrawing = 0;
  async function refresh() {
    clearTimeout(timer);
    if (!session) return;
    const main = document.querySelector('main');
    if (main && ++redrawing === 1) main.setAttribute('aria-busy', 'true');
    try {
      if (view === 'live') await renderLive();
      if (view === 'registrations') await renderRegistrations();
      if (view === 'records') await renderRecords();
      if (view === 'extensions') await renderExtensions();
      if (view === 'links') await renderLinkAccounts();
      if (view === 'allowlist') await renderAllowList();
      if (views[view]) await views[view]();
    } catch (error) {
      say(error.message, 'error');
    } finally {
      if (main && --redrawing === 0) main.removeAttribute('aria-busy');
      // How many redraws have ended: a browser test waits for the one its change started before it reads the view.
      if (main) main.dataset.redraws = String(Number(main.dataset.redraws || 0) + 1);
    }
    if (session && (view === 'live' || view === 'registrations' || view === 'trunks')) timer = setTimeout(refresh, REFRESH_MS);
  }

  const seconds = (value) => {
    const s = Math.floor(value);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  };

  function quality(call) {
    if (!call.quality || !Array.isArray(call.quality.legs)) return '–';
    return call.quality.legs.map((leg) => t('side.' + leg.side) + ' ' + dash(leg.lossPercent) + ' % / ' + dash(leg.jitterMs) + ' ms' +
      (leg.mos !== null && leg.mos !== undefined ? ' (MOS ' + leg.mos + ')' : '')).join(', ');
  }

  async function renderLive() {
    const data = await api('GET', scoped('/api/admin/live'));
    const rows = data.calls.map((call) => {
      const row = element('tr');
      row.dataset.callId = call.callId;
      if (call.node) row.title = t('live.node', { node: call.node });
      row.append(element('td', call.from), element('td', call.to), element('td', dash(call.route)), element('td', t('state.' + call.state)),
        element('td', seconds(call.durationSeconds), 'num'), element('td', [call.callerCodec, call.calleeCodec].filter(Boolean).join(' / ') || '–'),
        element('td', quality(call)));
      const cell = element('td');
      cell.append(button(t('live.hangup'), () => hangUp(call.callId), 'danger hangup'));
      row.append(cell);
      return row;
    });
    $('#live-calls tbody').replaceChildren(...rows);
  }

  async function hangUp(callId) {
    try {
      await api('POST', '/api/admin/live/' + encodeURIComponent(callId) + '/hangup');
      say(t('live.hung_up'), 'ok');
    } catch (error) {
      say(error.message, 'error');
    }
    refresh();
  }

  async function renderRegistrations() {
    const data = await api('GET', scoped('/api/admin/registrations'));
    $('#registrations tbody').replaceChildren(...data.registrations.map((r) => {
      const row = element('tr');
      row.append(element('td', r.account), element('td', r.contact), element('td', r.transport.toUpperCase()), element('td', r.remote),
        element('td', dash(r.userAgent)), element('td', seconds(r.expiresInSeconds), 'num'));
      return row;
    }));
  }

  function recordFilter() {
    const form = new FormData($('#record-filter'));
    const query = {};
    for (const [key, value] of form.entries()) {
      if (!value) continue;
      // datetime-local is the browser's local time: the API takes ISO 8601 with an offset.
      query[key] = key === 'since' || key === 'until' ? new Date(value).toISOString() : value.trim();
    }
    return query;
  }

  const localTime = (iso) => (iso ? new Date(iso).toLocaleString(document.documentElement.lang) : '–');

  function mos(record) {
    const q = record.quality;
    if (!q) return '–';
    if (typeof q.mos === 'number') return q.mos.toFixed(1);
    const legs = Array.isArray(q.legs) ? q.legs.filter((leg) => typeof leg.mos === 'number') : [];
    return legs.length ? Math.min(...legs.map((leg) => leg.mos)).toFixed(1) : '–';
  }

  async function renderRecords() {
    const query = recordFilter();
    $('#csv').href = scoped('/api/admin/calls.csv', query);
    const data = await api('GET', scoped('/api/admin/calls', query));
    $('#records tbody').replaceChildren(...data.calls.map((r) => {
      const row = element('tr');
      row.dataset.callId = r.callId;
      row.append(element('td', localTime(r.startedAt)), element('td', r.from), element('td', r.to), element('td', r.route),
        element('td', seconds(r.durationSeconds), 'num'), element('td', t('reason.' + r.reason)), element('td', t('side.' + r.endedBy)),
        element('td', mos(r), 'num'));
      return row;
    }));
  }

  async function renderExtensions() {
    const data = await api('GET', scoped('/api/admin/extensions'));
    replaceRows($('#extensions tbody'), data.extensions.map(extensionRow), 'account');
  }

  function extensionRow(ext) {
    const row = element('tr');
    row.dataset.account = ext.account;
    const name = element('input');
    name.value = ext.displayName;
    name.setAttribute('aria-label', t('col.name'));
    const role = element('select', null, 'roles');
    fillRoles(role);
    role.value = ext.role;
    const web = element('input');
    web.type = 'password';
    web.autocomplete = 'new-password';
    web.placeholder = t('ext.web_password');
    const sip = element('input');
    sip.type = 'password';
    sip.autocomplete = 'new-password';
    sip.placeholder = t('ext.sip_password');
    const passwords = element('div', null, 'pair');
    passwords.append(web, sip);
    const path = '/api/admin/extensions/' + encodeURIComponent(ext.domain) + '/' + encodeURIComponent(ext.number);
    const save = button(t('ext.save'), async () => {
      const change = {};
      if (name.value.trim() !== ext.displayName) change.displayName = name.value.trim();
      if (role.value !== ext.role) change.role = role.value;
      if (web.value) change.webPassword = web.value;
      if (sip.value) change.sipPassword = sip.value;
      try {
        await api('PATCH', path, change);
        // Saved: the passwords typed are not to be drawn again.
        web.value = sip.value = '';
        say(t('ext.saved', { account: ext.account }), 'ok');
        refresh();
      } catch (error) {
        say(error.message, 'error');
      }
    }, 'primary');
    const remove = button(t('ext.delete'), async () => {
      if (!confirm(t('ext.confirm_delete', { account: ext.account }))) return;
      try {
        await api('DELETE', path);
        say(t('ext.deleted', { account: ext.account }), 'ok');
        refresh();
      } catch (error) {
        say(error.message, 'error');
      }
    }, 'danger');
    const actions = element('td');
    actions.append(save, ' ', remove);
    const cells = [element('td', ext.account), element('td'), element('td'), element('td'), actions];
    cells[1].append(name);
    cells[2].append(role);
    cells[3].append(passwords);
    row.append(...cells);
    return row;
  }

  async function addExtension(event) {
    event.preventDefault();
    const form = event.target;
    const body = Object.fromEntries(new FormData(form).entries());
    body.domain = domain || session.domain;
    try {
      const created = await api('POST', '/api/admin/extensions', body);
      const shown = [created.webPassword ? t('ext.web_password') + ': ' + created.webPassword : '',
        created.sipPassword ? t('ext.sip_password') + ': ' + created.sipPassword : ''].filter(Boolean).join('   ');
      say(t('ext.added', { account: created.extension.account }) + (shown ? '  ' + shown : ''), 'ok');
      form.reset();
      fillRoles(form.querySelector('select.roles'));
      refresh();
    } catch (error) {
      say(error.message, 'error');
    }
  }

  async function renderLinkAccounts() {
    const select = $('#link-account');
    const current = select.value;
    const data = await api('GET', scoped('/api/admin/extensions'));
    select.replaceChildren(...data.extensions.map((ext) => {
      const option = element('option', ext.account + ' – ' + ext.displayName);
      option.value = ext.account;
      return option;
    }));
    if (current) select.value = current;
  }

  async function makeLink(event) {
    event.preventDefault();
    try {
      const link = await api('POST', '/api/admin/links', {
        account: $('#link-account').value,
        destination: $('#link-destination').value.trim(),
        durationSeconds: Math.round(Number($('#link-minutes').value) * 60),
        lang: $('#link-lang').value,
      });
      $('#link-url').value = link.url;
      $('#link-snippet').value = link.snippet;
      $('#link-expires').textContent = t('link.expires', { time: localTime(link.expiresAt) });
      $('#link-result').hidden = false;
      say('');
    } catch (error) {
      say(error.message, 'error');
    }
  }

  async function renderAllowList() {
    const data = await api('GET', scoped('/api/admin/allowlist'));
    $('#allowlist tbody').replaceChildren(...data.patterns.map((pattern) => {
      const row = element('tr');
      const actions = element('td');
      actions.append(button(t('trunk.remove'), () =>
        change('DELETE', '/api/admin/allowlist/' + encodeURIComponent(data.domain) + '/' + encodeURIComponent(pattern)), 'danger'));
      row.append(element('td', pattern), actions);
      return row;
    }));
  }

  async function addPattern(event) {
    event.preventDefault();
    const form = event.target;
    if (await change('POST', '/api/admin/allowlist', { domain: domain || session.domain, pattern: form.elements.pattern.value.trim() })) form.reset();
  }

  /**
   * A change, then the view again; false (and the reason shown) when refused. A reset names its row: what the admin had
   * typed there is given up, so the redraw shows what the reset left.
   */
  async function change(method, path, body, resetRow) {
    try {
      await api(method, path, body);
      if (resetRow) fieldsOf(resetRow).forEach((field) => { if (field.dataset.drawn !== undefined) setValue(field, field.dataset.drawn); });
      say(t('saved'), 'ok');
      return true;
    } catch (error) {
      say(error.message, 'error');
      return false;
    } finally {
      refresh();
    }
  }

  async function copy(selector) {
    const text = $(selector).value;
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // No clipboard permission (an http page not on localhost): select it for Ctrl+C.
      $(selector).select();
      document.execCommand('copy');
    }
    say(t('link.copied'), 'ok');
  }

  // Views kept in files of their own (trunks.js, policy.js) register here and share these helpers.
  const views = {};
  window.SwitchboardAdmin = {
    api, t, element, button, change, say, dash, localTime, scoped, replaceRows, drawField,
    /** The one domain a view that edits a domain's settings works on: the chosen one, else the admin's own. */
    domain: () => domain || (session ? session.domain : ''),
    session: () => session,
    addView: (name, render) => { views[name] = render; },
  };

  // The seed's own way to open the popup (spec 1), so the test shows what a visitor of the page will see.
  const testLink = () => window.open($('#link-url').value, '', 'width=230, height=300, left=200, location=0');

  document.addEventListener('DOMContentLoaded', async () => {
    $('#login-form').addEventListener('submit', login);
    $('#logout').addEventListener('click', logout);
    $('#lang').addEventListener('change', async (e) => { await loadLanguage(e.target.value); refresh(); });
    $('#domain').addEventListener('change', (e) => { domain = e.target.value; refresh(); });
    document.querySelectorAll('#tabs button').forEach((tab) => tab.addEventListener('click', () => show(tab.dataset.view)));
    $('#record-filter').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
    $('#add-extension').addEventListener('submit', addExtension);
    $('#link-form').addEventListener('submit', makeLink);
    $('#add-pattern').addEventListener('submit', addPattern);
    $('#copy-link').addEventListener('click', () => copy('#link-url'));
    $('#copy-snippet').addEventListener('click', () => copy('#link-snippet'));
    $('#test-link').addEventListener('click', testLink);
    await loadLanguage(chosenLanguage());
    await start();
  });
})();
