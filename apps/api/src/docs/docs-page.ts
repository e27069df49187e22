// GET /docs: a readable API reference rendered on the server from the OpenAPI document itself, so
// it can never say something the document does not. Self-contained: inline CSS, no script.
import { escapeHtml as esc } from './html-escape';
import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiParameter } from './openapi-types';

export const DOCS_STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f7f8fa}
header{background:#1d2330;color:#fff;padding:24px 32px}header a{color:#9fd3ff}header p{margin:4px 0;max-width:70em}
.layout{display:flex;align-items:flex-start}nav{position:sticky;top:0;max-height:100vh;overflow:auto;width:290px;flex:none;padding:16px;border-right:1px solid #dde1e7;background:#fff;font-size:13px}
nav h4{margin:14px 0 4px;text-transform:uppercase;font-size:11px;color:#6a7280;letter-spacing:.06em}nav a{display:block;color:#1d2330;text-decoration:none;padding:2px 0;word-break:break-all}nav a:hover{color:#0a66c2}
main{flex:1;min-width:0;padding:8px 32px 64px}section.op{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px 20px;margin:18px 0}
h2{margin-top:36px;border-bottom:2px solid #dde1e7;padding-bottom:4px}h3{margin:0 0 6px;font-size:17px;word-break:break-all}h4{margin:16px 0 6px}
.m{display:inline-block;min-width:64px;text-align:center;border-radius:4px;padding:1px 8px;margin-right:8px;color:#fff;font:600 12px/20px ui-monospace,monospace;vertical-align:2px}
.get{background:#0a7d4f}.post{background:#0a66c2}.delete{background:#c0392b}.put,.patch{background:#a06500}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:#1d2330;color:#e8ecf2;padding:12px 14px;border-radius:6px;overflow:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid #e6e9ee;padding:6px 8px;text-align:left;vertical-align:top}th{background:#f1f3f6;font-weight:600}
td code{background:#f1f3f6;padding:0 3px;border-radius:3px;word-break:break-all}td.name code{white-space:nowrap;word-break:normal}.access{font-size:13px;color:#4a5261}.req{color:#c0392b;font-size:12px}.muted{color:#6a7280}
`;

const ACCESS: Record<string, string> = {
  basic: 'HTTP Basic auth: username = API id, password = API key.',
  public: 'No authentication.',
  signed: 'No Basic auth: the URL carries an HMAC-SHA256 token of its query string, keyed with the API key.',
  admin: 'HTTP Basic auth with the admin credentials (ADMIN_USER / ADMIN_PASSWORD).',
};

const anchor = (op: OpenApiOperation) => `op-${op.operationId}`;

function refName(schema: JsonSchema): string | undefined {
  return typeof schema.$ref === 'string' ? schema.$ref.replace('#/components/schemas/', '') : undefined;
}

/** A short, human type: "integer", "string | null", "array of CreateImage". */
function typeOf(schema: JsonSchema): string {
  const ref = refName(schema);
  if (ref) return `<a href="#schema-${esc(ref)}">${esc(ref)}</a>`;
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return union.map(typeOf).join(' | ');
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if (schema.const !== undefined) return `<code>${esc(JSON.stringify(schema.const))}</code>`;
  const type = schema.type;
  if (Array.isArray(type)) return type.map(esc).join(' | ');
  if (type === 'array') return `array of ${schema.items ? typeOf(schema.items as JsonSchema) : 'any'}`;
  if (type === 'object' && !schema.properties) {
    const values = schema.additionalProperties as JsonSchema | boolean | undefined;
    return values && typeof values === 'object' && Object.keys(values).length > 0 ? `object of ${typeOf(values)}` : 'object';
  }
  return typeof type === 'string' ? esc(type) : 'any';
}

const num = (n: unknown) => Number(n).toLocaleString('en-US');
const chars = (n: unknown) => `${num(n)} ${Number(n) === 1 ? 'character' : 'characters'}`;

/** The limits a value must meet, from the schema's keywords. */
function limitsOf(schema: JsonSchema): string[] {
  const out: string[] = [];
  // z.number().int() states the safe-integer range, which says nothing to a reader.
  const has = (k: string) => schema[k] !== undefined && Math.abs(Number(schema[k])) !== Number.MAX_SAFE_INTEGER;
  if (has('minimum') && has('maximum')) out.push(`${num(schema.minimum)} to ${num(schema.maximum)}`);
  else if (has('minimum')) out.push(`≥ ${num(schema.minimum)}`);
  else if (has('maximum')) out.push(`≤ ${num(schema.maximum)}`);
  if (has('minLength') && schema.minLength !== 0) out.push(`at least ${chars(schema.minLength)}`);
  if (has('maxLength')) out.push(`at most ${chars(schema.maxLength)}`);
  if (has('minItems') || has('maxItems')) {
    out.push(schema.minItems === schema.maxItems ? `exactly ${schema.minItems} items` : `${schema.minItems ?? 0} to ${schema.maxItems ?? '∞'} items`);
  }
  if (has('format')) out.push(`format ${schema.format}`);
  if (has('pattern')) out.push(`matches <code>${esc(schema.pattern)}</code>`);
  for (const branch of ((schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined) ?? []) out.push(...limitsOf(branch));
  if (schema.type === 'array' && schema.items) out.push(...limitsOf(schema.items as JsonSchema).map((l) => `each: ${l}`));
  if (schema.additionalProperties === false) out.push('no other fields');
  return out;
}

interface FieldRow {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** Properties of an object schema, nested objects flattened as "parent.child". */
function fieldRows(schema: JsonSchema, prefix = ''): FieldRow[] {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows: FieldRow[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    rows.push({ name: prefix + name, schema: prop, required: required.has(name) });
    if (prop.type === 'object' && prop.properties) rows.push(...fieldRows(prop, `${prefix}${name}.`));
  }
  return rows;
}

function fieldsTable(rows: FieldRow[]): string {
  if (rows.length === 0) return '<p class="muted">No fields.</p>';
  const body = rows
    .map(
      (r) =>
        `<tr><td class="name"><code>${esc(r.name)}</code>${r.required ? ' <span class="req">required</span>' : ''}</td><td>${typeOf(r.schema)}</td>` +
        `<td>${limitsOf(r.schema).join('; ')}</td><td>${esc(r.schema.description ?? '')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Limits</th><th>Meaning</th></tr></thead><tbody>${body}</tbody></table>`;
}

function parametersTable(params: OpenApiParameter[]): string {
  const body = params
    .map(
      (p) =>
        `<tr><td class="name"><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${esc(p.in)}</td>` +
        `<td>${typeOf(p.schema)}</td><td>${limitsOf(p.schema).join('; ')}</td><td>${esc(p.description ?? '')}${p.explode ? ' (each property is its own query parameter)' : ''}</td></tr>`,
    )
    .join('');
  return `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Limits</th><th>Meaning</th></tr></thead><tbody>${body}</tbody></table>`;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A curl command built from the operation's examples. */
export function curlExample(server: string, method: string, path: string, op: OpenApiOperation): string {
  let url = server + path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const param = op.parameters?.find((p) => p.in === 'path' && p.name === name);
    return encodeURIComponent(String(param?.example ?? `<${name}>`));
  });
  const exploded = op.parameters?.find((p) => p.in === 'query' && p.explode && p.example);
  if (exploded) url += `?${new URLSearchParams(exploded.example as Record<string, string>).toString()}`;
  const parts = ['curl'];
  if (method !== 'get' && !op.requestBody) parts.push(`-X ${method.toUpperCase()}`);
  if (method === 'delete' && op.requestBody) parts.push('-X DELETE');
  if (op['x-access'] === 'basic') parts.push('-u "$API_ID:$API_KEY"');
  if (op['x-access'] === 'admin') parts.push('-u "$ADMIN_USER:$ADMIN_PASSWORD"');
  const example = op.requestBody?.content['application/json']?.example;
  if (example !== undefined) parts.push(`-H 'Content-Type: application/json'`, `-d ${shellQuote(JSON.stringify(example))}`);
  if (op.responses?.['200']?.content?.['image/png']) parts.push('-o image.png');
  parts.push(shellQuote(url));
  return parts.join(' \\\n  ');
}

function operationSection(doc: OpenApiDocument, path: string, method: string, op: OpenApiOperation): string {
  const out = [`<section class="op" id="${anchor(op)}">`, `<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span>${esc(path)}</h3>`];
  out.push(`<p><strong>${esc(op.summary)}</strong></p>`);
  if (op.description) out.push(`<p>${esc(op.description)}</p>`);
  out.push(`<p class="access">${esc(ACCESS[op['x-access']] ?? op['x-access'])}</p>`);
  if (op.parameters?.length) out.push(parametersTable(op.parameters));
  if (op.requestBody) {
    const types = Object.keys(op.requestBody.content);
    const schema = op.requestBody.content['application/json']!.schema!;
    const name = refName(schema);
    const resolved = name ? doc.components.schemas[name]! : schema;
    out.push(`<h4>Request body ${name ? `(<a href="#schema-${esc(name)}">${esc(name)}</a>)` : ''}</h4>`);
    out.push(`<p class="muted">${types.map((t) => `<code>${esc(t)}</code>`).join(', ')}</p>`);
    out.push(fieldsTable(fieldRows(resolved)));
  }
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const types = Object.entries(r.content ?? {})
        .map(([t, media]) => `<code>${esc(t)}</code>${media.schema ? ` ${typeOf(media.schema)}` : ''}`)
        .join(', ');
      return `<tr><td>${esc(status)}</td><td>${esc(r.description)}</td><td>${types}</td></tr>`;
    })
    .join('');
  out.push(`<h4>Responses</h4><table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th></tr></thead><tbody>${responses}</tbody></table>`);
  out.push(`<h4>Example</h4><pre>${esc(curlExample(doc.servers[0]?.url ?? '', method, path, op))}</pre>`);
  out.push('</section>');
  return out.join('\n');
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, Array<{ path: string; method: string; op: OpenApiOperation }>>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ path, method, op });
    }
  }
  const tags = doc.tags.map((t) => t.name).filter((t) => byTag.has(t));
  const nav = tags
    .map((tag) => `<h4>${esc(tag)}</h4>${byTag.get(tag)!.map(({ path, method, op }) => `<a href="#${anchor(op)}">${esc(method.toUpperCase())} ${esc(path)}</a>`).join('')}`)
    .join('');
  const sections = tags
    .map((tag) => `<h2 id="tag-${esc(tag)}">${esc(tag)}</h2>${byTag.get(tag)!.map(({ path, method, op }) => operationSection(doc, path, method, op)).join('\n')}`)
    .join('\n');
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, schema]) => `<section class="op" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${schema.properties ? fieldsTable(fieldRows(schema)) : `<p>${typeOf(schema)}</p>`}</section>`)
    .join('\n');
  const server = doc.servers[0]?.url ?? '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} API reference</title><style>${DOCS_STYLE}</style></head>
<body><header><h1>${esc(doc.info.title)} API reference <span class="muted">${esc(doc.info.version)}</span></h1>
<p>${esc(doc.info.description)}</p>
<p>Base URL: <code>${esc(server)}</code> · Machine-readable: <a href="openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}) · Try it: <a href="./">playground</a></p>
<p>Authentication: ${esc(doc.components.securitySchemes.basicAuth?.description ?? '')} Errors are JSON: <code>{"error", "statusCode", "message"}</code>.</p></header>
<div class="layout"><nav>${nav}<h4>Schemas</h4>${Object.keys(doc.components.schemas).map((n) => `<a href="#schema-${esc(n)}">${esc(n)}</a>`).join('')}</nav>
<main>${sections}<h2 id="schemas">Schemas</h2>${schemas}</main></div></body></html>`;
}
