// widget.js: one script tag puts a call button on any page; the call runs in a frame on the page, not a popup.
// Contract and choices: docs/widget.md. The page's own backend mints the call token (docs/tokens.md), so no API
// key ever reaches the browser; the PBX lets only the origins its domain allows frame the call.
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || !script.src) return;

  var pbx = new URL(script.src).origin;
  var dest = script.getAttribute('data-destination') || '';
  var tokenUrl = script.getAttribute('data-token-url') || '';
  var lang = (script.getAttribute('data-lang') || document.documentElement.lang || navigator.language || 'en').slice(0, 2).toLowerCase();

  // The widget runs on the website's page, which cannot read the PBX's translation files: its few texts travel with it.
  var TEXTS = {
    en: {
      call: 'Call',
      close: 'Close',
      preparing: 'Preparing the call…',
      origin_not_allowed: 'Calls from this website are not allowed by the PBX ({origin}).',
      no_token: 'The call could not be prepared. Please try again later.',
      network: 'The PBX cannot be reached. Please try again later.'
    },
    de: {
      call: 'Anrufen',
      close: 'Schließen',
      preparing: 'Der Anruf wird vorbereitet…',
      origin_not_allowed: 'Die Telefonanlage erlaubt keine Anrufe von dieser Website ({origin}).',
      no_token: 'Der Anruf konnte nicht vorbereitet werden. Bitte später erneut versuchen.',
      network: 'Die Telefonanlage ist nicht erreichbar. Bitte später erneut versuchen.'
    }
  };
  var texts = TEXTS[lang] || TEXTS.en;
  function t(key) { return texts[key].replace('{origin}', location.origin); }

  var root = document.createElement('div');
  root.className = 'switchboard-widget';
  root.setAttribute('data-state', 'idle');
  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'switchboard-call';
  button.textContent = script.getAttribute('data-label') || t('call');
  var message = document.createElement('p');
  message.className = 'switchboard-message';
  message.setAttribute('role', 'status');
  message.hidden = true;
  var panel = document.createElement('div');
  panel.className = 'switchboard-panel';
  panel.hidden = true;
  panel.style.cssText = 'position:fixed;right:16px;bottom:16px;width:230px;height:330px;background:#fff;border:1px solid #888;' +
    'box-shadow:0 4px 16px rgba(0,0,0,.3);z-index:2147483647;display:flex;flex-direction:column';
  var closeButton = document.createElement('button');
  closeButton.type = 'button';
  closeButton.className = 'switchboard-close';
  closeButton.textContent = t('close');
  closeButton.style.cssText = 'align-self:flex-end;font-size:12px';
  panel.appendChild(closeButton);
  root.appendChild(button);
  root.appendChild(message);
  root.appendChild(panel);
  script.parentNode.insertBefore(root, script.nextSibling);

  var frame = null;

  function say(key) {
    message.textContent = t(key);
    message.hidden = false;
    root.setAttribute('data-state', key === 'preparing' ? 'preparing' : 'refused');
    root.setAttribute('data-reason', key);
  }

  function closePanel() {
    if (frame) frame.remove();
    frame = null;
    panel.hidden = true;
    button.disabled = false;
    root.setAttribute('data-state', 'idle');
  }

  function open(url) {
    message.hidden = true;
    frame = document.createElement('iframe');
    // The microphone is delegated to the PBX's frame only (Permissions Policy, "allow" attribute).
    frame.setAttribute('allow', 'microphone; autoplay');
    frame.setAttribute('title', t('call'));
    frame.style.cssText = 'flex:1;border:0;width:100%';
    var u = new URL(url);
    u.searchParams.set('embed', '1');
    if (!u.searchParams.has('lang') && TEXTS[lang]) u.searchParams.set('lang', lang);
    frame.src = u.toString();
    panel.appendChild(frame);
    panel.hidden = false;
    root.setAttribute('data-state', 'open');
  }

  // The site's backend answers POST data-token-url with the PBX's own reply to POST /api/tokens ({ token, url, expiresAt }).
  function start() {
    button.disabled = true;
    say('preparing');
    fetch(tokenUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ destination: dest })
    }).then(function (r) {
      return r.ok ? r.json() : Promise.reject(new Error('token ' + r.status));
    }).then(function (minted) {
      var url = minted && typeof minted.url === 'string' ? new URL(minted.url) : null;
      if (!url || url.origin !== pbx || !url.searchParams.get('token')) throw new Error('token reply');
      // Ask first whether this page may embed the call: a refused frame would only show the browser's blank error page.
      return fetch(pbx + '/api/embed?token=' + encodeURIComponent(url.searchParams.get('token')), { credentials: 'omit' }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (answer) {
          if (r.ok) return open(url.toString());
          button.disabled = false;
          say(answer.error === 'origin_not_allowed' ? 'origin_not_allowed' : 'no_token');
        });
      }, function () {
        button.disabled = false;
        say('network');
      });
    }).catch(function () {
      button.disabled = false;
      say('no_token');
    });
  }

  button.addEventListener('click', start);
  closeButton.addEventListener('click', closePanel);
  window.addEventListener('message', function (ev) {
    if (ev.origin !== pbx || !frame || ev.source !== frame.contentWindow) return;
    if (ev.data && ev.data.type === 'switchboard:close') closePanel();
  });
}());
