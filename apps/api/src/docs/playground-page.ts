// GET /: the playground. HTML and CSS editors, the main create options, a Render button that
// calls POST /v1/image with the credentials typed in, the image, its URL and the same request as
// curl. Field limits come from the OpenAPI document (so from the validator), not from this file.
import { escapeHtml as esc } from './html-escape';
import type { JsonSchema, OpenApiDocument } from './openapi-types';
import { PLAYGROUND_SCRIPT, PLAYGROUND_STYLE } from './playground-assets';

export interface PlaygroundOptions {
  /** Prefilled only when the server runs with the public development pair (API_KEYS unset). */
  devCredentials?: { id: string; key: string };
}

const SAMPLE_HTML = `<div class="card">
  <h1>Hello, pixelfarm</h1>
  <p>Edit the HTML and CSS, then Render (Ctrl+Enter).</p>
</div>`;
const SAMPLE_CSS = `.card {
  width: 480px;
  padding: 32px;
  border-radius: 16px;
  background: linear-gradient(135deg, #0a66c2, #0b9e6f);
  color: #fff;
  font-family: sans-serif;
}`;

/** min/max/step attributes of a number input, from the field's JSON Schema. */
function numberAttrs(schema: JsonSchema | undefined): string {
  if (!schema) return '';
  const attrs = [];
  if (typeof schema.minimum === 'number') attrs.push(`min="${schema.minimum}"`);
  if (typeof schema.maximum === 'number') attrs.push(`max="${schema.maximum}"`);
  attrs.push(`step="${schema.type === 'integer' ? 1 : 'any'}"`);
  return attrs.join(' ');
}

export function renderPlaygroundPage(doc: OpenApiDocument, options: PlaygroundOptions = {}): string {
  const fields = (doc.components.schemas.CreateImage?.properties ?? {}) as Record<string, JsonSchema>;
  const formats = ((fields.format?.enum as string[] | undefined) ?? ['png', 'jpg', 'webp']).filter((f) => f !== 'pdf');
  const dev = options.devCredentials;
  const number = (name: string, label: string, placeholder: string) =>
    `<div><label for="${name}">${esc(label)}</label><input id="${name}" name="${name}" type="number" inputmode="decimal" placeholder="${esc(placeholder)}" ${numberAttrs(fields[name])}></div>`;
  const text = (name: string, label: string, placeholder: string, wide = false) =>
    `<div${wide ? ' class="wide"' : ''}><label for="${name}">${esc(label)}</label><input id="${name}" name="${name}" type="text" placeholder="${esc(placeholder)}" maxlength="${fields[name]?.maxLength ?? 1024}"></div>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>pixelfarm playground</title><style>${PLAYGROUND_STYLE}</style></head>
<body>
<header><h1>pixelfarm playground</h1><a href="docs">API reference</a><a href="openapi.json">openapi.json</a></header>
${dev ? '<div class="notice" id="dev-notice">This server runs with the development API key (API_KEYS is unset), prefilled below. Set API_KEYS before exposing it.</div>' : ''}
<div class="grid" id="playground" data-public-url="${esc(doc.servers[0]?.url ?? '')}">
<form class="panel" id="controls" autocomplete="off" novalidate>
  <h2>Credentials</h2>
  <div class="creds">
    <div><label for="api-id">API id</label><input id="api-id" name="api-id" type="text" value="${dev ? esc(dev.id) : ''}" placeholder="your API id"></div>
    <div><label for="api-key">API key</label><input id="api-key" name="api-key" type="password" value="${dev ? esc(dev.key) : ''}" placeholder="your API key"></div>
  </div>
  <h2><label for="html">HTML</label></h2>
  <textarea id="html" name="html" spellcheck="false" maxlength="${fields.html?.maxLength ?? ''}">${esc(SAMPLE_HTML)}</textarea>
  <h2><label for="css">CSS</label></h2>
  <textarea id="css" name="css" spellcheck="false">${esc(SAMPLE_CSS)}</textarea>
  <div class="fields">
    ${number('viewport_width', 'viewport_width (px)', 'auto-crop')}
    ${number('viewport_height', 'viewport_height (px)', 'auto-crop')}
    ${number('device_scale', 'device_scale', '2 (default)')}
    ${number('ms_delay', 'ms_delay (ms)', '0')}
    <div><label for="format">format</label><select id="format" name="format">${formats.map((f) => `<option value="${esc(f)}">${esc(f)}</option>`).join('')}</select></div>
    ${text('selector', 'selector', 'e.g. .card')}
    ${text('google_fonts', 'google_fonts', 'e.g. Roboto|Open Sans:400,700', true)}
    <div class="wide"><label class="check"><input id="transparent_background" name="transparent_background" type="checkbox">transparent_background</label></div>
  </div>
  <div class="actions">
    <button id="render" type="button">Render</button>
    <label class="check"><input id="auto" type="checkbox">Render as I type</label>
    <span class="hint">Ctrl+Enter renders</span>
  </div>
</form>
<section class="panel">
  <h2>Preview</h2>
  <div id="status" aria-live="polite"></div>
  <div id="error" role="alert"></div>
  <div class="preview"><img id="preview" alt="Rendered image"></div>
  <div class="out" id="result" hidden>
    <h2>Image URL</h2>
    <div class="row"><a id="image-url" target="_blank" rel="noopener"></a><button class="small" id="copy-url" type="button">Copy</button></div>
    <p class="hint">id <code id="image-id"></code> · add .jpg, .webp or .pdf, or ?width=, to the URL for other variants</p>
  </div>
  <div class="out">
    <h2>curl</h2>
    <pre id="curl"></pre>
    <div class="row"><button class="small" id="copy-curl" type="button">Copy</button><span class="hint">Set PIXELFARM_API_KEY to your API key first: the key is not shown here.</span></div>
  </div>
</section>
</div>
<script>${PLAYGROUND_SCRIPT}</script>
</body></html>`;
}
