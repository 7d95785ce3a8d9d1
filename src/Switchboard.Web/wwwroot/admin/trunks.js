// The portal's trunks view (docs/admin.md, "Trunks"): the list with each trunk's caller ID, DIDs and the carrier's
// answer to its last REGISTER, a Test button that sends the next REGISTER now, and the form to add one.
'use strict';
(function () {
  const admin = window.SwitchboardAdmin;
  const { api, t, element, button, change, localTime } = admin;

  function registration(trunk) {
    if (trunk.registered === null) return t('trunk.no_register');
    const state = t(trunk.registered ? 'trunk.registered' : 'trunk.not_registered');
    const last = trunk.registration;
    if (!last) return state + ' – ' + t('trunk.waiting');
    return state + ' – ' + t('trunk.answer', { status: last.status, reason: last.reason || '', time: localTime(last.at) });
  }

  const dids = (map) => Object.entries(map || {}).map(([did, destination]) => did + ' → ' + destination).join(', ') || '–';

  async function render() {
    const data = await api('GET', admin.scoped('/api/admin/trunks'));
    document.querySelector('#trunks tbody').replaceChildren(...data.trunks.map((trunk) => {
      const row = element('tr');
      row.dataset.trunk = trunk.name;
      const path = '/api/admin/trunks/' + encodeURIComponent(trunk.domain) + '/' + encodeURIComponent(trunk.name);
      const actions = element('td');
      if (trunk.register) {
        actions.append(button(t('trunk.test'), async () => {
          if (await change('POST', path + '/test')) admin.say(t('trunk.testing', { name: trunk.name }), 'ok');
        }), ' ');
      }
      actions.append(button(t('trunk.remove'), async () => {
        if (!confirm(t('trunk.confirm_remove', { name: trunk.name }))) return;
        await change('DELETE', path);
      }, 'danger'));
      const callerId = [trunk.fromUser, trunk.assertedIdentity ? 'PAI ' + trunk.assertedIdentity : ''].filter(Boolean).join(', ') || '–';
      row.append(element('td', String(trunk.position), 'num'), element('td', trunk.name), element('td', trunk.proxy),
        element('td', trunk.transport.toUpperCase()), element('td', trunk.username), element('td', callerId), element('td', dids(trunk.dids)),
        element('td', registration(trunk), 'registration'), actions);
      return row;
    }));
  }

  /** "4930123456=100" per line (or comma), as the CLI's --did takes them. */
  function parseDids(text) {
    const map = {};
    for (const item of text.split(/[\n,]/).map((line) => line.trim()).filter(Boolean)) {
      const at = item.indexOf('=');
      map[at < 0 ? item : item.slice(0, at).trim()] = at < 0 ? '' : item.slice(at + 1).trim();
    }
    return map;
  }

  async function add(event) {
    event.preventDefault();
    const form = event.target;
    const fields = Object.fromEntries(new FormData(form).entries());
    fields.register = form.elements.register.checked;
    fields.domain = admin.domain();
    fields.dids = parseDids(fields.dids || '');
    for (const key of ['carrierDomain', 'fromUser', 'assertedIdentity']) if (!fields[key]) delete fields[key];
    if (await change('POST', '/api/admin/trunks', fields)) form.reset();
  }

  admin.addView('trunks', render);
  document.addEventListener('DOMContentLoaded', () => document.querySelector('#add-trunk').addEventListener('submit', add));
})();
