// The playground's CSS and browser script, shipped inline in the page (allowed by hash in its
// Content-Security-Policy). Plain ES2017 without a build step; no external assets.

export const PLAYGROUND_STYLE = String.raw`
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f2f4f7}
header{display:flex;align-items:baseline;gap:18px;flex-wrap:wrap;background:#1d2330;color:#fff;padding:12px 20px}header h1{font-size:18px;margin:0}header a{color:#9fd3ff}
.notice{background:#fff4d6;border-bottom:1px solid #e8d48a;padding:6px 20px;font-size:13px}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px;padding:16px 20px}@media (max-width:900px){.grid{grid-template-columns:1fr}}
.panel{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 14px}.panel h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:#6a7280;margin:4px 0 8px}
label{display:block;font-size:12px;color:#4a5261;margin-bottom:2px}
textarea{width:100%;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;border:1px solid #cfd5dd;border-radius:6px;padding:8px;resize:vertical;tab-size:2;background:#fbfcfd}
#html{min-height:220px}#css{min-height:120px}
input,select{font:inherit;border:1px solid #cfd5dd;border-radius:6px;padding:5px 7px;width:100%;background:#fff}
input[type=checkbox]{width:auto;margin-right:6px}
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:8px 10px;margin-top:10px}.fields .wide{grid-column:span 2}
.creds{display:grid;grid-template-columns:1fr 1fr;gap:8px 10px;margin-bottom:10px}
.actions{display:flex;align-items:center;gap:14px;margin-top:12px;flex-wrap:wrap}.check{display:flex;align-items:center;font-size:13px;margin:0}
button{font:600 14px system-ui,sans-serif;border:0;border-radius:6px;padding:8px 18px;background:#0a66c2;color:#fff;cursor:pointer}button:disabled{opacity:.55;cursor:progress}
button.small{font-size:12px;padding:4px 10px;background:#4a5261}
#status{font-size:13px;color:#4a5261;min-height:1.4em}
#error{display:none;background:#fdecea;border:1px solid #f1b0a8;color:#8a1f11;border-radius:6px;padding:8px 10px;margin:8px 0;white-space:pre-wrap}#error.shown{display:block}
.preview{min-height:160px;display:flex;align-items:center;justify-content:center;border:1px dashed #cfd5dd;border-radius:6px;padding:10px;
background-color:#fff;background-image:linear-gradient(45deg,#eef0f3 25%,transparent 25%,transparent 75%,#eef0f3 75%),linear-gradient(45deg,#eef0f3 25%,transparent 25%,transparent 75%,#eef0f3 75%);background-size:16px 16px;background-position:0 0,8px 8px}
#preview{max-width:100%;height:auto;display:none}#preview.shown{display:block}
.out{margin-top:12px}.out .row{display:flex;gap:8px;align-items:center}.out a{word-break:break-all;font:13px ui-monospace,monospace}
pre{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;background:#1d2330;color:#e8ecf2;padding:10px 12px;border-radius:6px;white-space:pre-wrap;word-break:break-all;margin:6px 0}
.hint{font-size:12px;color:#6a7280}.offscreen{position:fixed;left:-9999px;top:0}
`;

export const PLAYGROUND_SCRIPT = String.raw`
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var root = $('playground');
  var publicUrl = root.getAttribute('data-public-url') || window.location.origin;
  var NUMBERS = ['viewport_width', 'viewport_height', 'device_scale', 'ms_delay'];
  var TEXTS = ['selector', 'google_fonts'];
  var seq = 0;
  var started = 0;
  var timer = null;

  /** The POST /v1/image body for the current form: only the fields that are set. */
  function requestBody() {
    var body = {};
    if ($('html').value.trim() !== '') body.html = $('html').value;
    if ($('css').value.trim() !== '') body.css = $('css').value;
    NUMBERS.forEach(function (f) {
      var v = $(f).value.trim();
      if (v === '') return;
      var n = Number(v);
      // A non-number is sent as typed, so the API's own message names the field.
      body[f] = isFinite(n) ? n : v;
    });
    TEXTS.forEach(function (f) { if ($(f).value.trim() !== '') body[f] = $(f).value.trim(); });
    if ($('format').value !== 'png') body.format = $('format').value;
    if ($('transparent_background').checked) body.transparent_background = true;
    return body;
  }

  function shellQuote(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }

  /** The same request as a curl command; the key stays out of it (and out of shell history). */
  function curlCommand(body) {
    var id = $('api-id').value.trim();
    var user = /^[A-Za-z0-9._-]+$/.test(id) ? id : '$PIXELFARM_API_ID';
    return 'curl -u "' + user + ':$PIXELFARM_API_KEY" \\\n' +
      "  -H 'Content-Type: application/json' \\\n" +
      '  -d ' + shellQuote(JSON.stringify(body)) + ' \\\n' +
      '  ' + shellQuote(publicUrl + '/v1/image');
  }

  function updateCurl() { $('curl').textContent = curlCommand(requestBody()); }

  function setStatus(text) { $('status').textContent = text; }
  function showError(text) { $('error').textContent = text; $('error').className = 'shown'; setStatus(''); }
  function hideError() { $('error').textContent = ''; $('error').className = ''; }

  function basic(id, key) {
    // btoa takes Latin-1 only: encode UTF-8 first.
    return 'Basic ' + btoa(unescape(encodeURIComponent(id + ':' + key)));
  }

  /** The API's JSON error shape, made readable; anything else shown as it came. */
  function describeError(res, data, text) {
    var line = data && typeof data.message === 'string'
      ? res.status + ' ' + (data.error || '') + ': ' + data.message
      : 'HTTP ' + res.status + ': ' + (text || res.statusText).slice(0, 500);
    if (res.status === 401) line += '\nCheck the API id and API key above.';
    var retry = res.headers.get('Retry-After');
    if (retry) line += '\nTry again in ' + retry + ' s.';
    return line;
  }

  function render() {
    var body = requestBody();
    var mine = ++seq;
    hideError();
    $('render').disabled = true;
    setStatus('Rendering…');
    started = Date.now();
    fetch('/v1/image', {
      method: 'POST',
      // credentials: omit keeps the browser from answering a 401 with its own login dialog.
      credentials: 'omit',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: basic($('api-id').value.trim(), $('api-key').value) },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.text().then(function (text) { return { res: res, text: text }; });
    }).then(function (r) {
      if (mine !== seq) return; // a newer render replaced this one
      var data = null;
      try { data = JSON.parse(r.text); } catch (e) { data = null; }
      if (!r.res.ok || !data || typeof data.url !== 'string') { showError(describeError(r.res, data, r.text)); return; }
      setStatus('Rendered in ' + (Date.now() - started) + ' ms, loading the image…');
      $('image-url').textContent = data.url;
      $('image-url').href = data.url;
      $('image-id').textContent = data.id;
      $('result').hidden = false;
      $('preview').src = data.url;
    }).catch(function (err) {
      if (mine === seq) showError('Could not reach the API: ' + (err && err.message ? err.message : String(err)));
    }).then(function () {
      if (mine === seq) $('render').disabled = false;
    });
  }

  $('preview').addEventListener('load', function () {
    var img = $('preview');
    img.className = 'shown';
    setStatus('Rendered in ' + (Date.now() - started) + ' ms: ' + img.naturalWidth + ' × ' + img.naturalHeight + ' px');
  });
  $('preview').addEventListener('error', function () {
    if ($('preview').getAttribute('src')) showError('The image could not be loaded from ' + $('preview').src);
  });

  function copy(text, button) {
    var done = function () {
      var label = button.getAttribute('data-label') || button.textContent;
      button.setAttribute('data-label', label);
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = label; }, 1200);
    };
    var fallback = function () {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.className = 'offscreen';
      document.body.appendChild(area);
      area.select();
      try { if (document.execCommand('copy')) done(); } catch (e) { /* nothing more to try */ }
      document.body.removeChild(area);
    };
    // The Clipboard API needs a secure context (https or localhost); plain http falls back.
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  }

  function scheduleAutoRender() {
    updateCurl();
    if (!$('auto').checked) return;
    clearTimeout(timer);
    timer = setTimeout(function () { if ($('html').value.trim() !== '') render(); }, 800);
  }

  // Tab indents in the editors instead of leaving them.
  ['html', 'css'].forEach(function (id) {
    $(id).addEventListener('keydown', function (e) {
      if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        var el = e.target;
        var s = el.selectionStart;
        el.value = el.value.slice(0, s) + '  ' + el.value.slice(el.selectionEnd);
        el.selectionStart = el.selectionEnd = s + 2;
        scheduleAutoRender();
      }
    });
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); render(); }
  });
  $('controls').addEventListener('input', scheduleAutoRender);
  $('controls').addEventListener('change', scheduleAutoRender);
  $('render').addEventListener('click', render);
  $('copy-url').addEventListener('click', function () { copy($('image-url').textContent, $('copy-url')); });
  $('copy-curl').addEventListener('click', function () { copy($('curl').textContent, $('copy-curl')); });
  updateCurl();
  root.setAttribute('data-ready', 'true');
})();
`;
