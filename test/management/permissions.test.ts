// Permissions on every authenticated route, from one table (route-permissions.ts), and the
// management rate limits (hcti's getting-started/using-the-api/rate-limits). For each operation
// the API documents as Basic-authenticated, a key holding every permission but the one its row
// names gets hcti's 403 naming it, and a key holding only that one gets past the check.
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { PERMISSIONS } from '../../apps/api/src/http/permissions';
import { AUTHENTICATION_ONLY, guardOf, ROUTE_PERMISSIONS } from '../../apps/api/src/http/route-permissions';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';

interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  documented: string;
}

describe('permissions: every authenticated route, from one table', () => {
  let api: ApiApp;
  const keyFor = new Map<string, string>();

  const makeKey = async (permissions: readonly string[]) => {
    const res = await request(api.handler)
      .post('/v1/api-keys')
      .set('Authorization', basicAuth())
      .send({ name: null, description: null, disabled: false, all_future_permissions: false, permissions });
    expect(res.status).toBe(200);
    return basicAuth(res.body.api_id, res.body.api_key);
  };

  beforeAll(async () => {
    api = createApiApp(loadConfig(testEnv({ MANAGEMENT_WRITES_PER_MINUTE: '1000', MANAGEMENT_READS_PER_MINUTE: '1000' })), createLogger('api', 'silent'));
    await api.ready();
  });
  afterAll(() => api?.close());

  /** Every Basic operation of /openapi.json, its path filled from the documented examples. */
  const operations = async (): Promise<Operation[]> => {
    const doc = (await request(api.handler).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { security: unknown[]; parameters?: { in: string; name: string; example?: string }[] }>>;
    };
    const out: Operation[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (JSON.stringify(op.security) !== JSON.stringify([{ basicAuth: [] }])) continue;
        let filled = path;
        for (const p of op.parameters ?? []) if (p.in === 'path') filled = filled.replace(`{${p.name}}`, encodeURIComponent(p.example ?? 'x'));
        out.push({ method: method as Operation['method'], path: filled, documented: path });
      }
    }
    return out;
  };

  it('has a row for every Basic operation, and the rows name real permissions; the API document states each', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThanOrEqual(20);
    for (const permission of Object.values(ROUTE_PERMISSIONS)) expect(PERMISSIONS).toContain(permission);
    const doc = (await request(api.handler).get('/openapi.json')).body as { paths: Record<string, Record<string, { 'x-permission'?: string; responses: Record<string, unknown> }>> };
    const documented = ops.map((op) => ({ op: `${op.method} ${op.documented}`, doc: doc.paths[op.documented]![op.method]! }));
    const stated = documented.filter(({ doc }) => doc['x-permission'] !== undefined);
    // Every operation but those any valid key may call (GET /v1/ping) names its permission and its 403.
    expect(documented.length - stated.length).toBeLessThanOrEqual(1);
    for (const { op, doc } of stated) {
      expect({ op, permission: PERMISSIONS.includes(doc['x-permission'] as never), has403: '403' in doc.responses }).toEqual({ op, permission: true, has403: true });
    }
  });

  it('refuses a key lacking the route’s permission with 403 naming it, and lets a key holding only it through', async () => {
    const ops = await operations();
    const table: { op: string; permission: string; without: number; only: number }[] = [];
    for (const op of ops.filter((o) => !AUTHENTICATION_ONLY.includes(`${o.method.toUpperCase()} ${o.documented}`))) {
      // The documented path of an optional segment is the table's `[/{name}]` form.
      const row = Object.keys(ROUTE_PERMISSIONS).find((k) => {
        const [m, p] = k.split(' ');
        return m === op.method.toUpperCase() && (p === op.documented || p!.replace(/\[\/(\{[a-z_]+\})\]$/, '/$1') === op.documented || p!.replace(/\[\/\{[a-z_]+\}\]$/, '') === op.documented);
      });
      expect(row).toBeDefined();
      const [, documentedPath] = row!.split(' ');
      const permission = guardOf({ method: op.method, path: documentedPath! }).permission!;
      if (!keyFor.has(`without ${permission}`)) keyFor.set(`without ${permission}`, await makeKey(PERMISSIONS.filter((p) => p !== permission)));
      if (!keyFor.has(`only ${permission}`)) keyFor.set(`only ${permission}`, await makeKey([permission]));
      const refused = await request(api.handler)[op.method](op.path).set('Authorization', keyFor.get(`without ${permission}`)!);
      expect({ op: `${op.method} ${op.path}`, status: refused.status, body: refused.body }).toEqual({
        op: `${op.method} ${op.path}`,
        status: 403,
        body: { error: 'Forbidden', statusCode: 403, message: `This API key lacks the ${permission} permission, which this operation requires` },
      });
      const passed = await request(api.handler)[op.method](op.path).set('Authorization', keyFor.get(`only ${permission}`)!);
      const passedMessage = (passed.body as { message?: string }).message ?? '';
      expect({ op: `${op.method} ${op.path}`, refusedForPermission: passed.status === 403 && passedMessage.includes('permission, which') }).toEqual({
        op: `${op.method} ${op.path}`,
        refusedForPermission: false,
      });
      table.push({ op: `${op.method.toUpperCase()} ${op.documented}`, permission, without: refused.status, only: passed.status });
    }
    // The areas this server has routes for, each exercised.
    expect([...new Set(table.map((r) => r.permission))].sort()).toEqual(
      expect.arrayContaining(['api_keys:create_update', 'api_keys:delete', 'api_keys:read', 'images:create', 'images:delete', 'images:read', 'images:store', 'storage_destinations:create_update', 'storage_destinations:delete', 'storage_destinations:read', 'templates:create_update', 'templates:read', 'usage:read']),
    );
  });

  it('answers 401 before 403: a wrong secret is refused as unauthenticated on every route', async () => {
    for (const op of await operations()) {
      const res = await request(api.handler)[op.method](op.path).set('Authorization', basicAuth(TEST_KEYS.id, 'wrong-secret-key'));
      expect({ op: op.path, status: res.status }).toEqual({ op: op.path, status: 401 });
    }
  });
});

describe('management rate limits: per account and operation group, hcti’s headers and message', () => {
  let api: ApiApp;

  beforeAll(async () => {
    api = createApiApp(loadConfig(testEnv({ MANAGEMENT_READS_PER_MINUTE: '3', MANAGEMENT_WRITES_PER_MINUTE: '2' })), createLogger('api', 'silent'));
    await api.ready();
  });
  afterAll(() => api?.close());

  const get = (path: string, auth = basicAuth()) => request(api.handler).get(path).set('Authorization', auth);

  it('counts reads of a group, states them, and refuses the one past the limit with Retry-After', async () => {
    for (let remaining = 2; remaining >= 0; remaining--) {
      const res = await get(remaining % 2 ? '/v1/api-keys' : '/v1/api-keys/ak-00000000-0000-4000-8000-000000000000');
      expect(res.headers['ratelimit-policy']).toBe('"api-key:read";q=3;w=60');
      expect(res.headers.ratelimit).toBe(`"api-key:read";r=${remaining}`);
    }
    const refused = await get('/v1/api-keys');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: 'Too Many Requests',
      statusCode: 429,
      message: 'Rate limit exceeded. The api-key:read operation group allows 3 requests per minute per organization.',
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-policy']).toBe('"api-key:read";q=3;w=60');

    // Another group of the same account, and the same group of another account, are untouched.
    const write = await request(api.handler).post('/v1/api-keys').set('Authorization', basicAuth()).send({ permissions: [] });
    expect(write.status).toBe(200);
    expect(write.headers['ratelimit-policy']).toBe('"api-key:write";q=2;w=60');
    expect(write.headers.ratelimit).toBe('"api-key:write";r=1');
    expect((await get('/v1/storage-destinations')).headers.ratelimit).toBe('"storage-destination:read";r=2');
    expect((await get('/v1/api-keys', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey))).status).toBe(200);
    // A key the account made shares the account's allowance.
    const made = basicAuth(write.body.api_id, write.body.api_key);
    expect((await request(api.handler).post(`/v1/api-keys/${write.body.id}`).set('Authorization', made).send({ permissions: [] })).status).toBe(403);
    // Image, template and usage routes have no management limit.
    const usage = await get('/v1/usage');
    expect(usage.status).toBe(200);
    expect(usage.headers['ratelimit-policy'] ?? '').not.toMatch(/api-key|storage-destination/);
  });

  it('refuses nothing on permission grounds before counting: a refused permission spends no allowance', async () => {
    const created = await request(api.handler).post('/v1/api-keys').set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey)).send({ permissions: ['usage:read'] });
    expect(created.status).toBe(200);
    const weak = basicAuth(created.body.api_id, created.body.api_key);
    for (let i = 0; i < 5; i++) expect((await get('/v1/storage-destinations', weak)).status).toBe(403);
    expect((await get('/v1/storage-destinations', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey))).headers.ratelimit).toBe('"storage-destination:read";r=2');
  });
});
