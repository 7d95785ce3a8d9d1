// The portal's overview (docs/admin.md, "Overview"): the main figures, from GET /api/admin/overview every few seconds
// while the overview is shown. admin.js owns the session, the tabs and the language; this file only watches what it
// sets on <body> (data-state, data-view) and the domain chooser, and fills the tiles. A GET needs no CSRF token.
'use strict';
(function () {
  const POLL_MS = 3000;
  let timer = 0;
  let asking = false;

  const shown = () => document.body.dataset.state === 'ready' && document.body.dataset.view === 'overview' && !document.hidden;
  const tile = (name) => document.querySelector('#view-overview [data-figure="' + name + '"] dd');
  const number = (value) => (value === null || value === undefined ? '–' : Number(value).toLocaleString(document.documentElement.lang));
  const pair = (a, b) => (a === null || a === undefined ? '–' : number(a) + ' / ' + number(b));

  function fill(data) {
    tile('callsUp').textContent = number(data.callsUp);
    tile('registrations').textContent = number(data.registrations);
    const node = data.node;
    document.getElementById('overview-node').hidden = !node;
    if (!node) return;
    tile('callsLastMinute').textContent = number(node.callsLastMinute);
    tile('setup').textContent = pair(node.setupP50Ms, node.setupP95Ms);
    tile('answer').textContent = pair(node.answerP50Ms, node.answerP95Ms);
    tile('authFailures').textContent = number(node.authFailures);
    tile('lockouts').textContent = number(node.lockouts);
    tile('policyDenials').textContent = number(node.policyDenials);
  }

  async function poll() {
    clearTimeout(timer);
    if (!shown() || asking) return;
    asking = true;
    try {
      const domain = document.getElementById('domain').value;
      const path = '/api/admin/overview' + (domain ? '?domain=' + encodeURIComponent(domain) : '');
      const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
      // A lost session is admin.js's to handle (its next request shows the login); here the tiles just stop.
      if (response.ok) fill(await response.json());
    } catch (e) {
      // The PBX is restarting or the network is gone: the figures stay as they were until the next round.
    } finally {
      asking = false;
    }
    if (shown()) timer = setTimeout(poll, POLL_MS);
  }

  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver(poll).observe(document.body, { attributes: true, attributeFilter: ['data-state', 'data-view'] });
    document.getElementById('domain').addEventListener('change', poll);
    document.addEventListener('visibilitychange', poll);
    poll();
  });
})();
