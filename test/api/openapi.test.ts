// GET /openapi.json is a valid OpenAPI 3.1 document, generated from the validators: every route
// the Express app serves is documented and every documented route exists, and the documented
// request schemas accept and reject bodies as the API does.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import { CREATE_FIELD_DOCS } from '@pixelfarm/schemas';
import { pathShape } from '../../apps/api/src/docs/openapi-document';
import { expressPath } from '../../apps/api/src/http/route';
import type { OpenApiDocument, OpenApiOperation } from '../../apps/api/src/docs/openapi-types';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { basicAuth } from '../support/test-env';

const run = promisify(execFile);
const VALIDATOR_CLI = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Validates a document with @seriousme/openapi-schema-validator (ESM, so in a node child process). */
async function validateOpenApi(doc: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const file = path.join(fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'oas-')), 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const { stdout } = await run(process.execPath, [VALIDATOR_CLI, file]).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return JSON.parse(stdout) as { valid: boolean; errors?: unknown };
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Express 5 path syntax → OpenAPI templates: ":id" → "{id}", an optional group "{/:x}" → with and without. */
function expandExpressPath(p: string): string[] {
  const group = /\{([^{}]*)\}/.exec(p);
  if (group) {
    const before = p.slice(0, group.index);
    const after = p.slice(group.index + group[0].length);
    return [...expandExpressPath(before + after), ...expandExpressPath(before + group[1] + after)];
  }
  if (/[*?()]/.test(p)) throw new Error(`unsupported route syntax in ${p}: extend the test`);
  return [p.replace(/:([A-Za-z0-9_]+)/g, '{$1}')];
}

/** Every (method, path) of the app's router, and the paths where whole sub-applications are mounted. */
function expressRoutes(app: Express): { routes: Set<string>; mounts: Set<string> } {
  const routes = new Set<string>();
  const mounts = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
            for (const full of expandExpressPath(prefix + p)) routes.add(`${method.toUpperCase()} ${full}`);
          }
        }
      } else if (typeof layer.rawPath === 'string' && layer.rawPath !== '/') {
        // A sub-application (the Bull Board dashboard) is documented as its mount path.
        mounts.add(prefix + layer.rawPath);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return { routes, mounts };
}

function operations(doc: OpenApiDocument): Array<{ method: string; path: string; op: OpenApiOperation }> {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method, path: p, op })),
  );
}

describe('OpenAPI document', () => {
  let stack: InProcessStack;
  let app: Express;
  let doc: OpenApiDocument;
  let ajv: Ajv2020;

  beforeAll(async () => {
    stack = await startInProcessStack({
      ADMIN_USER: 'admin',
      ADMIN_PASSWORD: 'admin-password-123',
      MAX_VIEWPORT_WIDTH: '4321',
      PUBLIC_URL: 'http://img.test',
    });
    app = stack.api.handler;
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body as OpenApiDocument;
    ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats(ajv);
    ajv.addVocabulary(['components']);
    ajv.addSchema({ $id: 'openapi.json', components: { schemas: doc.components.schemas } });
  });

  afterAll(() => stack?.close());

  const validator = (name: string) => {
    const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
    if (!validate) throw new Error(`no component schema ${name}`);
    return validate;
  };

  it('is a valid OpenAPI 3.1 document (checked against the OpenAPI 3.1 JSON Schema)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'pixelfarm', version: expect.any(String) });
    expect(doc.servers).toEqual([{ url: 'http://img.test' }]);
    expect(await validateOpenApi(doc)).toEqual({ valid: true });
    // The check is not vacuous: a broken document is refused.
    const broken = { ...doc, info: undefined, paths: { '/x': { get: { responses: 'nope' } } } };
    expect((await validateOpenApi(broken)).valid).toBe(false);
  });

  it('compiles every component schema with Ajv (JSON Schema 2020-12, strict) and resolves every $ref', () => {
    for (const name of Object.keys(doc.components.schemas)) expect(() => validator(name)).not.toThrow();
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const target = ref.slice(8, -1).replace('#/components/schemas/', '');
      expect(doc.components.schemas[target]).toBeDefined();
    }
  });

  it('declares each path template parameter, has unique operation ids and known security schemes', () => {
    const ids = new Set<string>();
    const shapes = new Map<string, string>();
    for (const { method, path: p, op } of operations(doc)) {
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name).sort();
      expect({ op: `${method} ${p}`, params: declared }).toEqual({ op: `${method} ${p}`, params: inPath });
      for (const requirement of op.security) for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes[scheme]).toBeDefined();
      expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
      // OpenAPI forbids two templates that differ only in parameter names.
      const seen = shapes.get(pathShape(p));
      expect(seen === undefined || seen === p).toBe(true);
      shapes.set(pathShape(p), p);
    }
  });

  it('documents every route the Express app serves, and nothing it does not', () => {
    const { routes, mounts } = expressRoutes(app);
    // Sub-applications: the queue dashboard, and the Open Graph images (any path under the domain id).
    expect(mounts).toEqual(new Set(['/admin/queues', '/v1/og/:domain_id']));
    const served = new Set([...routes].map((r) => { const [m, p] = r.split(' '); return `${m} ${pathShape(p!)}`; }));
    const documented = new Set(
      operations(doc)
        .filter(({ path: p }) => !mounts.has(expressPath(p)))
        .map(({ method, path: p }) => `${method.toUpperCase()} ${pathShape(p)}`),
    );
    const undocumented = [...served].filter((r) => !documented.has(r)).sort();
    const notServed = [...documented].filter((r) => !served.has(r)).sort();
    expect({ undocumented, notServed }).toEqual({ undocumented: [], notServed: [] });
    // The routes the hcti clients call are among them.
    for (const r of ['POST /v1/image', 'GET /v1/image/{}', 'DELETE /v1/image/{}', 'POST /v1/image/batch', 'DELETE /v1/image/batch', 'GET /v1/images', 'GET /v1/usage',
      'POST /v1/template', 'POST /v1/template/{}', 'GET /v1/templates', 'GET /v1/template/{}', 'GET /v1/image/create-and-render/{}/{}', 'GET /v1/image/create-and-render/{}/{}/{}',
      'GET /v1/image/{}/{}', 'GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /docs', 'GET /']) {
      expect(served).toContain(r);
    }
    // Each mounted sub-application is documented at its mount path.
    for (const mount of mounts) expect(Object.keys(doc.paths).map(expressPath)).toContain(mount);
  });

  it('uses Basic auth exactly on the routes that demand it', async () => {
    for (const { method, path: p, op } of operations(doc)) {
      // Templated paths are called with the documented example values.
      const url = p.replace(/\{([^}]+)\}/g, (_m, name: string) => String(op.parameters!.find((x) => x.in === 'path' && x.name === name)!.example));
      const res = await request(app)[method as 'get'](url).send();
      const needsAuth = op.security.some((s) => 'basicAuth' in s || 'adminAuth' in s);
      // A credentials challenge, not a signed URL's 401 "Invalid token" (which asks for no credentials).
      const challenged = res.status === 401 && res.headers['www-authenticate'] !== undefined;
      expect({ route: `${method} ${p}`, unauthorized: challenged }).toEqual({ route: `${method} ${p}`, unauthorized: needsAuth });
      if (needsAuth) expect(op.responses?.['401']).toBeDefined();
    }
  });

  it('is generated from the validators: the configured limits and every create field are in it, each field described', () => {
    const create = doc.components.schemas.CreateImage!;
    const props = create.properties as Record<string, Record<string, unknown>>;
    expect(props.viewport_width).toMatchObject({ type: 'integer', minimum: 1, maximum: 4321 });
    expect(props.device_scale).toMatchObject({ type: 'number', minimum: 0.1, maximum: 3 });
    expect(props.format).toMatchObject({ enum: ['png', 'jpg', 'jpeg', 'webp', 'pdf'] });
    expect(create.additionalProperties).toBe(false);
    expect(Object.keys(props).sort()).toEqual(Object.keys(CREATE_FIELD_DOCS).sort());
    for (const [name, prop] of Object.entries(props)) expect({ name, described: typeof prop.description === 'string' }).toEqual({ name, described: true });
    const createOp = doc.paths['/v1/image']!.post!;
    expect(Object.keys(createOp.requestBody!.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']);
    // Every documented example body is valid against its own schema.
    for (const { op } of operations(doc)) {
      const media = op.requestBody?.content['application/json'];
      if (!media?.example) continue;
      const name = String(media.schema!.$ref).replace('#/components/schemas/', '');
      expect({ op: op.operationId, valid: validator(name)(media.example) }).toEqual({ op: op.operationId, valid: true });
    }
  });

  it('accepts and rejects create bodies the same way the API does', async () => {
    const validate = validator('CreateImage');
    const maxHtml = (doc.components.schemas.CreateImage!.properties as Record<string, { maxLength: number }>).html.maxLength;
    const samples: Array<[string, Record<string, unknown>]> = [
      ['a valid snippet', { html: '<div style="width:20px;height:10px;background:#00f"></div>', device_scale: 1, format: 'webp' }],
      ['viewport over the configured width', { html: '<p>x</p>', viewport_width: 4322, viewport_height: 100 }],
      ['an unknown field', { html: '<p>x</p>', colour: 'red' }],
      ['a number field as a word', { html: '<p>x</p>', device_scale: 'big' }],
      ['device_scale out of range', { html: '<p>x</p>', device_scale: 3.5 }],
      ['a format the API does not make', { html: '<p>x</p>', format: 'gif' }],
      ['a fractional ms_delay', { html: '<p>x</p>', ms_delay: 1.5 }],
      ['html over the limit', { html: 'x'.repeat(maxHtml + 1) }],
      ['a non-http url', { url: 'ftp://a.example' }],
      ['pdf margins of three values', { html: '<p>x</p>', pdf_options: { margins: [1, 2, 3] } }],
      ['a non-string metadata value', { html: '<p>x</p>', metadata: { a: [1] } }],
    ];
    for (const [name, body] of samples) {
      const documented = validate(body) as boolean;
      const res = await request(app).post('/v1/image').set('Authorization', basicAuth()).send(body);
      expect({ name, documented, status: res.status }).toEqual({ name, documented: res.status === 200, status: documented ? 200 : 400 });
    }
    const valid = await request(app).post('/v1/image').set('Authorization', basicAuth()).send(samples[0]![1]);
    expect(valid.body.url).toMatch(/^http:\/\/img\.test\/v1\/image\/[0-9a-f-]{36}\.webp$/);
  });

  it('documents batch bodies and query parameters that the API enforces', async () => {
    const batch = validator('BatchCreate');
    const max = (doc.components.schemas.BatchCreate!.properties as Record<string, { maxItems: number }>).variations.maxItems;
    const tooMany = { variations: Array.from({ length: max + 1 }, () => ({ html: '<p>x</p>' })) };
    expect(batch(tooMany)).toBe(false);
    expect((await request(app).post('/v1/image/batch').set('Authorization', basicAuth()).send(tooMany)).status).toBe(400);
    expect(validator('BatchDelete')({ ids: [] })).toBe(false);
    expect((await request(app).delete('/v1/image/batch').set('Authorization', basicAuth()).send({ ids: [] })).status).toBe(400);

    const width = doc.paths['/v1/image/{id}']!.get!.parameters!.find((p) => p.name === 'width')!;
    const checkWidth = ajv.compile(width.schema);
    expect(checkWidth(5001)).toBe(false);
    expect(checkWidth(0)).toBe(false);
    const id = '0190f5d2-8a4b-7cc1-b1a2-3f4e5d6c7b8a';
    expect((await request(app).get(`/v1/image/${id}?width=0`)).status).toBe(400);
    expect((await request(app).get(`/v1/image/${id}?width=5001`)).status).toBe(400);
    const count = doc.paths['/v1/images']!.get!.parameters!.find((p) => p.name === 'count')!;
    expect(ajv.compile(count.schema)('ten')).toBe(false);
    expect((await request(app).get('/v1/images?count=ten').set('Authorization', basicAuth())).status).toBe(400);
  });
});
