// The portal's call policy view (docs/admin.md, "Call policy"; the rules themselves in docs/dialplan.md): dial rules,
// each extension's permissions and limits, the domain's limits, its number classes, and the IVR's reload. Every
// change goes through the admin API, which checks it as the CLI does; the next call follows it.
'use strict';
(function () {
  const admin = window.SwitchboardAdmin;
  const { api, t, element, button, change, replaceRows, drawField } = admin;
  const $ = (selector) => document.querySelector(selector);
  const enc = encodeURIComponent;
  // Internal and emergency numbers are always allowed (the API adds them): only these are choices.
  const CHOOSABLE = ['tollfree', 'national', 'international', 'premium'];

  function input(value, label, size, className) {
    const node = element('input', null, className);
    node.value = value === null || value === undefined ? '' : String(value);
    node.setAttribute('aria-label', label);
    if (size) node.size = size;
    return node;
  }

  /** A limit as typed: empty is "no limit" (null); anything else goes to the API as typed, which checks it. */
  const limitValue = (text) => (text.trim() === '' ? null : text.trim());

  function cell(...children) {
    const node = element('td');
    node.append(...children);
    return node;
  }

  // ---- dial rules ----

  async function renderRules() {
    const domain = admin.domain();
    $('#policy-domain').textContent = domain;
    const owner = $('#rule-owner');
    const chosen = owner.value;
    const extensions = await api('GET', '/api/admin/extensions?domain=' + enc(domain));
    const options = [element('option', t('policy.domain_rules'))];
    options[0].value = '';
    for (const ext of extensions.extensions) {
      const option = element('option', t('policy.own_rules', { account: ext.account }));
      option.value = ext.number;
      options.push(option);
    }
    owner.replaceChildren(...options);
    owner.value = extensions.extensions.some((ext) => ext.number === chosen) ? chosen : '';

    const query = '?domain=' + enc(domain) + (owner.value ? '&extension=' + enc(owner.value) : '');
    const data = await api('GET', '/api/admin/dialrules' + query);
    replaceRows($('#dial-rules tbody'), data.rules.map(ruleRow), 'ruleId');
    return extensions.extensions;
  }

  function ruleRow(rule) {
    const row = element('tr');
    row.dataset.ruleId = String(rule.id);
    const pattern = input(rule.pattern, t('policy.pattern'), 14);
    const trunk = input(rule.trunk, t('policy.trunk'), 10);
    const strip = input(rule.strip, t('policy.strip'), 3);
    strip.type = 'number';
    strip.min = '0';
    const prefix = input(rule.prefix, t('policy.prefix'), 6);
    const path = '/api/admin/dialrules/' + enc(rule.domain) + '/' + rule.id;
    const save = button(t('ext.save'), () => change('PUT', path,
      { pattern: pattern.value.trim(), trunk: trunk.value.trim(), strip: Number(strip.value || 0), prefix: prefix.value.trim() }), 'primary');
    const remove = button(t('trunk.remove'), () => change('DELETE', path), 'danger');
    row.append(element('td', String(rule.position), 'num'), cell(pattern), cell(trunk), cell(strip), cell(prefix), cell(save, ' ', remove));
    return row;
  }

  async function addRule(event) {
    event.preventDefault();
    const form = event.target;
    const body = {
      domain: admin.domain(),
      pattern: form.elements.pattern.value.trim(),
      trunk: form.elements.trunk.value.trim(),
      strip: Number(form.elements.strip.value || 0),
      prefix: form.elements.prefix.value.trim(),
    };
    if ($('#rule-owner').value) body.extension = $('#rule-owner').value;
    if (form.elements.position.value) body.position = Number(form.elements.position.value);
    if (await change('POST', '/api/admin/dialrules', body)) form.reset();
  }

  // ---- permissions and limits ----

  async function renderPermissions() {
    const domain = admin.domain();
    const [permissions, limits] = await Promise.all([
      api('GET', '/api/admin/permissions?domain=' + enc(domain)),
      api('GET', '/api/admin/limits?domain=' + enc(domain)),
    ]);
    const form = $('#domain-limits');
    form.elements.concurrent.placeholder = form.elements.perMinute.placeholder = t('policy.no_limit');
    drawField(form.elements.concurrent, limits.domainLimits.concurrent, domain);
    drawField(form.elements.perMinute, limits.domainLimits.perMinute, domain);
    const byNumber = new Map(limits.extensions.map((l) => [l.number, l]));
    replaceRows($('#permissions tbody'), permissions.extensions.map((p) => permissionRow(domain, p, byNumber.get(p.number))), 'account');
  }

  function permissionRow(domain, permission, limit) {
    const row = element('tr');
    row.dataset.account = permission.account;
    const boxes = CHOOSABLE.map((name) => {
      const box = element('input');
      box.type = 'checkbox';
      box.name = name;
      box.checked = permission.allowed.includes(name);
      box.setAttribute('aria-label', t('class.' + name));
      return box;
    });
    const concurrent = input(limit ? limit.concurrent : '', t('policy.concurrent'), 4, 'limit');
    concurrent.name = 'concurrent';
    const perMinute = input(limit ? limit.perMinute : '', t('policy.per_minute'), 4, 'limit');
    perMinute.name = 'perMinute';
    concurrent.placeholder = perMinute.placeholder = t('policy.no_limit');
    const base = '/' + enc(domain) + '/' + enc(permission.number);
    const save = button(t('ext.save'), async () => {
      const allow = CHOOSABLE.filter((_, i) => boxes[i].checked);
      if (await change('PUT', '/api/admin/permissions' + base, { allow })) {
        await change('PUT', '/api/admin/limits' + base, { concurrent: limitValue(concurrent.value), perMinute: limitValue(perMinute.value) });
      }
    }, 'primary');
    const reset = button(t('policy.default'), async () => {
      if (await change('DELETE', '/api/admin/permissions' + base, undefined, row)) await change('DELETE', '/api/admin/limits' + base, undefined, row);
    });
    const defaults = [permission.isDefault ? t('policy.default_permissions') : '', limit && limit.isDefault ? t('policy.default_limits') : '']
      .filter(Boolean).join(', ');
    row.append(element('td', permission.account), ...boxes.map((box) => cell(box)), cell(concurrent), cell(perMinute),
      element('td', defaults, 'hint'), cell(save, ' ', reset));
    return row;
  }

  async function saveDomainLimits(event) {
    event.preventDefault();
    const form = event.target;
    await change('PUT', '/api/admin/limits/' + enc(admin.domain()),
      { concurrent: limitValue(form.elements.concurrent.value), perMinute: limitValue(form.elements.perMinute.value) });
  }

  // ---- number classes ----

  async function renderClasses() {
    const data = await api('GET', '/api/admin/numberclasses?domain=' + enc(admin.domain()));
    replaceRows($('#number-classes tbody'), data.classes.map((c) => {
      const row = element('tr');
      row.dataset.class = c.class;
      row.dataset.owned = data.domain + '/' + c.class;
      const patterns = input(c.patterns.join(', '), t('class.' + c.class), 40);
      const path = '/api/admin/numberclasses/' + enc(data.domain) + '/' + enc(c.class);
      const save = button(t('ext.save'), () => change('PUT', path, { patterns: patterns.value.split(',').map((p) => p.trim()).filter(Boolean) }), 'primary');
      const reset = button(t('policy.default'), () => change('DELETE', path, undefined, row));
      row.append(element('td', t('class.' + c.class)), cell(patterns), element('td', c.isDefault ? t('policy.is_default') : t('policy.own')), cell(save, ' ', reset));
      return row;
    }), 'owned');
  }

  // ---- IVR ----

  function showIvr(ivr) {
    $('#ivr-file').textContent = ivr.file ? ivr.file + (ivr.fileExists ? '' : ' – ' + t('ivr.no_file')) : '–';
    const lines = ivr.menus.map((m) => 'menu ' + m.name + ': ' + Object.entries(m.options).map(([key, dest]) => key + ' → ' + dest).join(', '))
      .concat(ivr.ringGroups.map((g) => 'group ' + g.name + ': ' + g.members.join(', ') + (g.fallback ? ' (→ ' + g.fallback + ')' : '')));
    $('#ivr-menus').replaceChildren(...lines.map((line) => element('li', line)));
  }

  async function renderIvr() {
    const system = admin.session().role === 'system-admin';
    $('#policy-ivr').hidden = !system;
    if (system) showIvr(await api('GET', '/api/admin/ivr'));
  }

  async function reloadIvr() {
    try {
      showIvr(await api('POST', '/api/admin/ivr/reload'));
      admin.say(t('ivr.reloaded'), 'ok');
    } catch (error) {
      // The file was refused: the menus in use stay, and the message says which field is wrong.
      admin.say(error.message, 'error');
    }
  }

  async function render() {
    await renderRules();
    await renderPermissions();
    await renderClasses();
    await renderIvr();
  }

  admin.addView('policy', render);
  document.addEventListener('DOMContentLoaded', () => {
    $('#add-rule').addEventListener('submit', addRule);
    $('#rule-owner').addEventListener('change', () => renderRules().catch((error) => admin.say(error.message, 'error')));
    $('#domain-limits').addEventListener('submit', saveDomainLimits);
    $('#reload-ivr').addEventListener('click', reloadIvr);
  });
})();
