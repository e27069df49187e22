// /v1/api-keys as hcti's official tools use it: the Terraform provider's and the Go client's
// requests replayed byte for byte (their null fields included, their User-Agent, Accept and
// Content-Type), and the fields they parse checked in the answers. Then what a made key may do:
// it acts for the account that made it, with its permissions only, and stops at DELETE.
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';

const GO_HEADERS = { Accept: 'application/json', 'User-Agent': 'HCTIGo/1.4.0 HCTITerraform/test' };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('/v1/api-keys: the Terraform provider and the Go client', () => {
  let api: ApiApp;

  beforeAll(async () => {
    api = createApiApp(loadConfig(testEnv({ MANAGEMENT_WRITES_PER_MINUTE: '1000', API_KEY_CACHE_MS: '0' })), createLogger('api', 'silent'));
    await api.ready();
  });
  afterAll(() => api?.close());

  /** A request as the Go client sends it: JSON text exactly as encoding/json writes it. */
  const send = (method: 'get' | 'post' | 'delete', path: string, body?: string, auth = basicAuth()) => {
    const req = request(api.handler)[method](path).set(GO_HEADERS).set('Authorization', auth);
    return body === undefined ? req : req.set('Content-Type', 'application/json').send(body);
  };

  /** What the Go client's APIKey.validateResponse and the provider's read() need of a key. */
  const expectParsedKey = (key: Record<string, unknown>) => {
    expect(typeof key.id).toBe('string');
    expect(typeof key.api_id).toBe('string');
    expect(key.id).not.toBe(key.api_id);
    expect(typeof key.name).toBe('string');
    expect(key.name).not.toBe('');
    expect(Array.isArray(key.permissions)).toBe(true);
    expect(typeof key.enabled).toBe('boolean');
    expect(typeof key.all_future_permissions).toBe('boolean');
    expect(key.description === null || typeof key.description === 'string').toBe(true);
    expect(key.created_at).toMatch(RFC3339);
    expect(key.updated_at).toMatch(RFC3339);
  };

  it('replays TestAPIKeyLifecycle: create, read, replace, all-future, disable, read after disable', async () => {
    // Step 1: permissions=["images:create","usage:read"], name and description unset (null).
    const created = await send('post', '/v1/api-keys', '{"name":null,"description":null,"disabled":false,"all_future_permissions":false,"permissions":["images:create","usage:read"]}');
    expect(created.status).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expectParsedKey(created.body);
    expect(created.body).toMatchObject({ description: null, enabled: true, all_future_permissions: false, permissions: ['images:create', 'usage:read'] });
    expect(created.body.name).toMatch(/^Key created \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(created.body.name).toBe(`Key created ${created.body.created_at.slice(0, 10)} ${created.body.created_at.slice(11, 19)}`);
    expect(created.body.api_key).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const id = created.body.id as string;

    // Plan-only step: the provider reads the key back.
    const read = await send('get', `/v1/api-keys/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(read.body).toEqual({ ...created.body, api_key: undefined });
    expect(read.body).not.toHaveProperty('api_key');

    // Step 3: blank-padded name and description, no permissions, disabled; the server trims.
    const renamed = await send('post', `/v1/api-keys/${id}`, '{"name":"  Renamed key  ","description":"  purpose  ","disabled":true,"all_future_permissions":false,"permissions":[]}');
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, api_id: created.body.api_id, name: 'Renamed key', description: 'purpose', enabled: false, permissions: [] });
    expect(renamed.body).not.toHaveProperty('api_key');
    expect(Date.parse(renamed.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));
    expect(renamed.body.created_at).toBe(created.body.created_at);

    // Step 5: all_future_permissions=true with [] (name and description omitted: null, so reset).
    const future = await send('post', `/v1/api-keys/${id}`, '{"name":null,"description":null,"disabled":false,"all_future_permissions":true,"permissions":[]}');
    expect(future.status).toBe(200);
    expect(future.body).toMatchObject({ all_future_permissions: true, enabled: true, description: null, name: created.body.name });
    expect(future.body.permissions).toEqual(expect.arrayContaining(['images:create', 'api_keys:delete', 'og_configs:read']));

    // The provider's refused configurations never reach the API; the API refuses them too.
    const conflicting = await send('post', `/v1/api-keys/${id}`, '{"name":null,"description":null,"disabled":false,"all_future_permissions":true,"permissions":["images:create"]}');
    expect(conflicting.status).toBe(400);
    const missing = await send('post', '/v1/api-keys', '{"name":null,"description":null,"disabled":false,"all_future_permissions":false,"permissions":null}');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'Bad Request', statusCode: 400, message: 'permissions is required: an array of permission names, [] for none' });

    // Destroy: DELETE disables (204, no body); the key stays readable, disabled, so the provider keeps it.
    const deleted = await send('delete', `/v1/api-keys/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const after = await send('get', `/v1/api-keys/${id}`);
    expect(after.status).toBe(200);
    expect(after.body.enabled).toBe(false);
    expect((await send('delete', `/v1/api-keys/${id}`)).status).toBe(204);
    // A key that is not there is a 404, which the provider reads as "gone".
    expect((await send('get', '/v1/api-keys/ak-00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await send('get', `/v1/api-keys/${id}`, undefined, basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey))).status).toBe(404);
  });

  it("replays the Go client's TestResourceRoutes and TestPaginationAndEscaping: list pages with filters until next_page_start is null", async () => {
    // CreateAPIKey(&APIKeyRequest{Permissions: []Permission{}}), three times, then two with grants.
    const made: string[] = [];
    for (const permissions of ['[]', '[]', '[]', '["images:read","proxies:read"]', '["images:read","proxies:read","usage:read"]']) {
      const res = await send('post', '/v1/api-keys', `{"name":null,"description":null,"disabled":false,"all_future_permissions":false,"permissions":${permissions}}`);
      expect(res.status).toBe(200);
      made.push(res.body.id);
    }
    // A disabled one, which only include_disabled=true lists.
    expect((await send('delete', `/v1/api-keys/${made[1]}`)).status).toBe(204);

    const walk = async (query: string) => {
      const seen: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      do {
        // url.Values.Encode(): keys sorted, values escaped.
        const q: string = [query.includes('count=') ? '' : 'count=2', query, cursor ? `page_start=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
        const res = await send('get', `/v1/api-keys?${q}`);
        expect(res.status).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(['data', 'pagination']);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        res.body.data.forEach(expectParsedKey);
        for (const key of res.body.data) expect(key).not.toHaveProperty('api_key');
        seen.push(...res.body.data);
        cursor = res.body.pagination.next_page_start;
        expect(cursor === null || typeof cursor === 'string').toBe(true);
      } while (cursor !== null);
      return seen;
    };
    const all = await walk('include_disabled=true');
    const ids = all.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((i) => made.includes(i as string))).toEqual([...made].reverse());
    const times = all.map((k) => k.created_at as string);
    expect([...times].sort().reverse()).toEqual(times);

    expect((await walk('')).map((k) => k.id)).not.toContain(made[1]);
    const both = await walk('include_disabled=true&with_permission=images%3Aread&with_permission=proxies%3Aread');
    expect(both.map((k) => k.id).filter((i) => made.includes(i as string))).toEqual([made[4], made[3]]);

    // The default page is 10; count outside 1-100 and a cursor we never gave are 400s.
    const first = await send('get', '/v1/api-keys?include_disabled=true');
    expect(first.body.data.length).toBeLessThanOrEqual(10);
    for (const q of ['count=0', 'count=101', 'page_start=nonsense', 'with_permission=images%3Afly', 'include_disabled=yes']) {
      const res = await send('get', `/v1/api-keys?${q}`);
      expect(res.status).toBe(400);
    }
  });

  it('a made key acts for its account with its permissions only, and stops at DELETE', async () => {
    const created = await send('post', '/v1/api-keys', '{"name":"usage reader","description":null,"disabled":false,"all_future_permissions":false,"permissions":["usage:read","api_keys:create_update"]}');
    const own = basicAuth(created.body.api_id, created.body.api_key);
    expect((await send('get', '/v1/usage', undefined, own)).status).toBe(200);
    const refused = await send('get', '/v1/images', undefined, own);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'Forbidden', statusCode: 403, message: 'This API key lacks the images:read permission, which this operation requires' });
    // It grants only what it holds, and cannot grant all-future access.
    const wider = await send('post', '/v1/api-keys', '{"name":null,"description":null,"disabled":false,"all_future_permissions":false,"permissions":["usage:read","images:create"]}', own);
    expect(wider.status).toBe(403);
    expect(wider.body.message).toBe('This API key cannot grant or manage images:create: a key may only grant permissions it holds');
    expect((await send('post', '/v1/api-keys', '{"name":null,"description":null,"disabled":false,"all_future_permissions":true,"permissions":[]}', own)).status).toBe(403);
    const narrower = await send('post', '/v1/api-keys', '{"name":null,"description":null,"disabled":false,"all_future_permissions":false,"permissions":["usage:read"]}', own);
    expect(narrower.status).toBe(200);
    // The operator's key sees it: made keys belong to the account, not to the key that made them.
    expect((await send('get', `/v1/api-keys/${narrower.body.id}`)).body.name).toMatch(/^Key created/);
    // Wrong secret, or a disabled key: 401.
    expect((await send('get', '/v1/usage', undefined, basicAuth(created.body.api_id, `${created.body.api_key}x`))).status).toBe(401);
    expect((await send('delete', `/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await send('get', '/v1/usage', undefined, own)).status).toBe(401);
  });
});

describe('/v1/api-keys: a secret is shown once', () => {
  it('is in no later answer, no log line and no stored record (objects, Redis)', async () => {
    const lines: string[] = [];
    const env = testEnv({ API_KEY_CACHE_MS: '0' });
    const app = createApiApp(loadConfig(env), createLogger('api', 'debug', { destination: { write: (line: string) => void lines.push(line) } }));
    try {
      await app.ready();
      const answers: string[] = [];
      const call = async (method: 'get' | 'post' | 'delete', path: string, body?: object, auth = basicAuth()) => {
        const req = request(app.handler)[method](path).set('Authorization', auth);
        const res = await (body ? req.send(body) : req);
        answers.push(JSON.stringify(res.headers), res.text);
        return res;
      };
      const created = await request(app.handler).post('/v1/api-keys').set('Authorization', basicAuth()).send({ name: 'ci', permissions: ['images:read', 'api_keys:read'] });
      const secret = created.body.api_key as string;
      expect(secret.length).toBeGreaterThanOrEqual(40);
      const own = basicAuth(created.body.api_id, secret);
      // Everything a client does with the key afterwards, the key authenticating itself included.
      await call('get', `/v1/api-keys/${created.body.id}`);
      await call('get', '/v1/api-keys?include_disabled=true');
      await call('get', '/v1/api-keys', undefined, own);
      await call('get', '/v1/images', undefined, own);
      await call('post', `/v1/api-keys/${created.body.id}`, { name: 'ci renamed', permissions: ['images:read'] });
      await call('get', '/v1/usage', undefined, own);
      await call('delete', `/v1/api-keys/${created.body.id}`);
      await call('get', '/v1/api-keys', undefined, own);
      expect(answers.length).toBe(16);
      for (const answer of answers) expect(answer).not.toContain(secret);
      expect(lines.length).toBeGreaterThan(8);
      for (const line of lines) expect(line).not.toContain(secret);

      // Every object the API stored, and every Redis key of this deployment with its value.
      const fs = await import('node:fs');
      const files = fs.readdirSync(env.STORAGE_DIR!, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      const stored = files.map((f) => fs.readFileSync(`${f.parentPath}/${f.name}`, 'utf8'));
      expect(stored.some((text) => text.includes(created.body.api_id))).toBe(true);
      for (const text of stored) expect(text).not.toContain(secret);
      const redisKeys = await app.redis.keys(`${env.REDIS_PREFIX}*`);
      expect(redisKeys.length).toBeGreaterThan(0);
      for (const key of redisKeys) {
        const type = await app.redis.type(key);
        const value =
          type === 'string' ? await app.redis.get(key) : type === 'zset' ? (await app.redis.zrange(key, 0, -1)).join(' ') : type === 'hash' ? JSON.stringify(await app.redis.hgetall(key)) : key;
        expect(`${key} ${value}`).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });
});
