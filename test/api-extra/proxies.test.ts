// Accounts' own upstream proxies through /v1/proxies, replayed with the exact requests the
// official tools send (htmlcsstoimage/terraform-provider-html-css-to-image's proxy resource and
// its tests, and the Go client's management package: struct field order, their nulls), and the
// answers checked as they parse them. Then renders through one (real Chromium): a loopback site
// reached via a loopback proxy that records every connection, the proxy's address judged by the
// egress policy on every connection, and the password in no answer, log line or stored record.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { startForwardProxy, type ForwardProxy } from '../support/forward-proxy';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { decodeImage } from '../support/decode-image';

const OTHER = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
// What the Go client sends with every request, and the provider's suffix (internal/testapi checks both).
const TOOL_HEADERS = { 'User-Agent': 'HCTIGo/1.0.0 HCTITerraform/test', Accept: 'application/json', 'Content-Type': 'application/json' };
const PROXY_PASSWORD = `p@ss:word-${randomBytes(6).toString('hex')}`;
const TF_PASSWORD = `new-secret-${randomBytes(6).toString('hex')}`;
const PROXY_ID = /^px-[0-9a-f-]{36}$/;

describe('proxies: the management API in hcti shape, and renders through them', () => {
  let api: ApiApp;
  let worker: WorkerApp;
  let site: LoopbackServer;
  let upstream: ForwardProxy;
  /** Stands where a proxy the worker's policy refuses would be: it must never see a connection. */
  let forbidden: http.Server;
  let forbiddenConnections = 0;
  let storageDir: string;
  const logLines: string[] = [];
  const answers: string[] = [];

  beforeAll(async () => {
    site = await serveOnLoopback((req, res) => {
      if (req.url === '/logo.svg') {
        return void res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#00f"/></svg>');
      }
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<body style="margin:0;background:#0f0"><img src="/logo.svg" style="display:block"></body>');
    });
    upstream = await startForwardProxy({ username: 'render', password: PROXY_PASSWORD });
    forbidden = http.createServer((_req, res) => res.end());
    forbidden.on('connection', () => void forbiddenConnections++);
    await new Promise<void>((resolve) => forbidden.listen(0, '127.0.0.3', resolve));
    const env = testEnv({
      API_KEYS: `${TEST_KEYS.id}:${TEST_KEYS.key},${TEST_KEYS.otherId}:${TEST_KEYS.otherKey}`,
      DESTINATIONS_KEY: randomBytes(32).toString('base64'),
      PROXIES_PER_ACCOUNT: '8',
      // The replay writes more than hcti's 20 a minute; the limit's own test is test/management/permissions.test.ts.
      MANAGEMENT_WRITES_PER_MINUTE: '1000',
      MANAGEMENT_READS_PER_MINUTE: '1000',
      // The API lets an account save a proxy at 127.0.0.3; the worker's policy (below) refuses it.
      URL_ALLOWLIST: '127.0.0.1,127.0.0.3',
    });
    storageDir = env.STORAGE_DIR!;
    const logger = (name: string) => createLogger(name, 'debug', { destination: { write: (line: string) => void logLines.push(line) } });
    api = createApiApp(loadConfig(env), logger('api'));
    worker = createWorkerApp(loadConfig({ ...env, URL_ALLOWLIST: '127.0.0.1' }), logger('worker'));
    await api.ready();
    await worker.start();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await Promise.all([site?.close(), upstream?.close(), new Promise((resolve) => forbidden?.close(resolve))]);
  });

  const keep = <T extends { text: string }>(res: T) => {
    answers.push(res.text);
    return res;
  };
  /** A request as the Go client sends it: the body is the exact JSON text it marshals. */
  const send = (method: 'get' | 'post' | 'delete', url: string, body?: string, auth = basicAuth()) => {
    const req = request(api.handler)[method](url).set(TOOL_HEADERS).set('Authorization', auth);
    return (body !== undefined ? req.send(body) : req).then(keep);
  };
  const stored = async (id: string, account = TEST_KEYS.id) => {
    const raw = await api.storage.get(`accounts/${account}/proxies/${id}.json`);
    return raw && (JSON.parse(raw.toString('utf8')) as Record<string, unknown>);
  };
  /** What the Go client's Proxy.validateResponse demands of every proxy it parses. */
  const parsesAsProxy = (p: Record<string, unknown>) => {
    expect(Object.keys(p).sort()).toEqual(['bypass_hosts', 'created_at', 'enabled', 'id', 'name', 'port', 'updated_at', 'url', 'username']);
    expect(p.id).toMatch(PROXY_ID);
    expect(p.name).not.toBe('');
    expect(p.url).not.toBe('');
    expect(Array.isArray(p.bypass_hosts)).toBe(true);
    expect(Number.isInteger(p.port)).toBe(true);
    // time.Time parses RFC 3339.
    for (const at of [p.created_at, p.updated_at]) expect(new Date(at as string).toISOString()).toBe(at);
  };

  describe("the Terraform provider's proxy lifecycle (TestProxyLifecycle), request by request", () => {
    let id: string;
    let firstSeal: unknown;

    it('creates: port 8080, an empty username and password, one bypass host', async () => {
      const res = await send(
        'post',
        '/v1/proxies',
        '{"name":"initial proxy","url":"https://proxy.example","port":8080,"disabled":false,"authentication":{"username":"","password":"","retain_password":null},"bypass_hosts":["example.com"]}',
      );
      expect(res.status).toBe(200);
      parsesAsProxy(res.body);
      // Counted in the account's proxy:write group.
      expect(res.headers['ratelimit-policy']).toBe('"proxy:write";q=1000;w=60');
      expect(res.body).toMatchObject({ name: 'initial proxy', url: 'https://proxy.example', port: 8080, bypass_hosts: ['example.com'], username: '', enabled: true });
      id = res.body.id;
      firstSeal = (await stored(id))!.sealed_password;
      expect(firstSeal).toMatch(/^v1\./);
    });

    it('reads it back as created (the provider keeps the plan only when they agree)', async () => {
      const res = await send('get', `/v1/proxies/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-policy']).toBe('"proxy:read";q=1000;w=60');
      expect(res.body).toMatchObject({ id, name: 'initial proxy', url: 'https://proxy.example', port: 8080, username: '', enabled: true, bypass_hosts: ['example.com'] });
    });

    it('renames with retain_password: the stored password stays as it was sealed', async () => {
      const res = await send(
        'post',
        `/v1/proxies/${id}`,
        '{"name":"renamed proxy","url":"https://proxy.example","port":8080,"disabled":false,"authentication":{"username":"","password":null,"retain_password":true},"bypass_hosts":["example.com"]}',
      );
      expect([res.status, res.body.name, res.body.username]).toEqual([200, 'renamed proxy', '']);
      expect((await stored(id))!.sealed_password).toBe(firstSeal);
    });

    it('refuses retain_password with a changed username (the provider says "Password required")', async () => {
      const res = await send(
        'post',
        `/v1/proxies/${id}`,
        '{"name":"changed user","url":"https://proxy.example","port":8080,"disabled":false,"authentication":{"username":"new-user","password":null,"retain_password":true},"bypass_hosts":[]}',
      );
      expect([res.status, res.body.message]).toEqual([400, 'authentication.retain_password keeps the password only with the same username; send a password with a new username']);
    });

    it('changes the user with a new password, and clears the bypass hosts', async () => {
      const res = await send(
        'post',
        `/v1/proxies/${id}`,
        `{"name":"changed user","url":"https://proxy.example","port":8080,"disabled":false,"authentication":{"username":"new-user","password":"${TF_PASSWORD}","retain_password":null},"bypass_hosts":[]}`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'changed user', username: 'new-user', bypass_hosts: [] });
      expect((await stored(id))!.sealed_password).not.toBe(firstSeal);
      expect(res.body.updated_at >= res.body.created_at).toBe(true);
    });

    it('removes authentication when it is null', async () => {
      const res = await send('post', `/v1/proxies/${id}`, '{"name":"no auth","url":"https://proxy.example","port":8080,"disabled":false,"authentication":null,"bypass_hosts":[]}');
      expect(res.status).toBe(200);
      expect(res.body.username).toBeNull();
      expect((await stored(id))!.sealed_password).toBeNull();
    });

    it('deletes with a 204, reads a 404 after (the provider drops it from state), and a repeated delete succeeds', async () => {
      const del = await send('delete', `/v1/proxies/${id}`);
      expect([del.status, del.text]).toEqual([204, '']);
      const gone = await send('get', `/v1/proxies/${id}`);
      expect([gone.status, gone.body.message]).toEqual([404, `No proxy "${id}" in this account`]);
      expect((await send('delete', `/v1/proxies/${id}`)).status).toBe(204);
      expect(await stored(id)).toBeNull();
    });

    it('normalises as TestProxyNormalizationAndDefaultPort expects: trimmed name, default port 443, hosts reduced and deduplicated', async () => {
      // The Go client passes bypass hosts through as given; the provider sorts and lowercases them first.
      const res = await send(
        'post',
        '/v1/proxies',
        '{"name":"  spaced name  ","url":"https://proxy.example","port":null,"disabled":false,"authentication":null,"bypass_hosts":["EXAMPLE.COM","https://example.com/path"]}',
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'spaced name', port: 443, bypass_hosts: ['example.com'], username: null });
      const http80 = await send('post', '/v1/proxies', '{"name":"plain proxy","url":"http://proxy.example","port":null,"disabled":true,"authentication":null,"bypass_hosts":null}');
      expect(http80.body).toMatchObject({ port: 80, enabled: false, bypass_hosts: [] });
      for (const p of [res.body, http80.body]) expect((await send('delete', `/v1/proxies/${p.id}`)).status).toBe(204);
    });
  });

  describe("the Go client's requests (management package)", () => {
    it("answers CreateProxy(&ProxyRequest{Name, URL}) — nulls for port, authentication, bypass_hosts — with the fields it validates", async () => {
      const res = await send('post', '/v1/proxies', '{"name":"test proxy","url":"https://proxy.example","port":null,"disabled":false,"authentication":null,"bypass_hosts":null}');
      expect(res.status).toBe(200);
      parsesAsProxy(res.body);
      expect(res.body).toMatchObject({ port: 443, bypass_hosts: [], username: null, enabled: true });
      expect((await send('delete', `/v1/proxies/${res.body.id}`)).status).toBe(204);
    });

    it('refuses the zero ProxyRequest and each rule of the documented fields with a 400 naming the field', async () => {
      const base = { name: 'a proxy', url: 'https://proxy.example', port: null, disabled: false, authentication: null, bypass_hosts: null };
      const cases: [Record<string, unknown>, string][] = [
        [{ ...base, name: '', url: '' }, 'name must be 3 to 500 characters after trimming'],
        [{ ...base, url: 'https://proxy.example:8443' }, 'url must not hold a port: send it in port'],
        [{ ...base, url: 'https://user:pw@proxy.example' }, 'url must not hold credentials: send them in authentication'],
        [{ ...base, url: 'https://proxy.example/path' }, 'url takes no path other than /, no query and no fragment'],
        [{ ...base, url: 'socks5://proxy.example' }, 'url must be an http:// or https:// URL'],
        [{ ...base, port: 70000 }, 'port must be a whole number from 1 to 65535'],
        [{ ...base, authentication: { username: 'u', password: null, retain_password: null } }, 'authentication.password is required (or, on update, retain_password: true to keep the stored one)'],
        [{ ...base, authentication: { username: 'u', password: '', retain_password: true } }, 'authentication: send either a password or retain_password: true, not both'],
        [{ ...base, authentication: { username: 'u', password: 'x'.repeat(485), retain_password: null } }, 'authentication.password is longer than 484 UTF-8 bytes'],
        [{ ...base, authentication: { username: 'u', password: null, retain_password: true } }, 'authentication.retain_password applies to updates only: send the password'],
        [{ ...base, bypass_hosts: Array.from({ length: 101 }, (_, i) => `h${i}.example`) }, 'bypass_hosts holds at most 100 entries'],
        [{ ...base, bypass_hosts: ['not a host'] }, 'bypass_hosts[0] must be a host name, an address or an absolute URL'],
        [{ ...base, enabled: true }, 'Unknown field: enabled'],
      ];
      for (const [body, message] of cases) {
        const res = await send('post', '/v1/proxies', JSON.stringify(body));
        expect([res.status, res.body.message]).toEqual([400, message]);
      }
      // A private address is refused before anything is stored (a name is judged when it is used).
      const privateProxy = await send('post', '/v1/proxies', JSON.stringify({ ...base, url: 'http://10.0.0.1' }));
      expect([privateProxy.status, privateProxy.body.message]).toEqual([
        400,
        "url: the proxy's address 10.0.0.1 is refused by the egress policy (private, loopback or reserved; URL_ALLOWLIST can open it)",
      ]);
    });

    it('lists newest first in pages of count, following next_page_start until it is null (ListProxies)', async () => {
      const ids: string[] = [];
      for (const name of ['first', 'second', 'third']) {
        const res = await send('post', '/v1/proxies', `{"name":"${name} proxy","url":"https://proxy.example","port":null,"disabled":false,"authentication":null,"bypass_hosts":null}`);
        ids.push(res.body.id);
      }
      const first = await send('get', '/v1/proxies?count=2');
      expect(first.status).toBe(200);
      expect(Object.keys(first.body).sort()).toEqual(['data', 'pagination']);
      first.body.data.forEach(parsesAsProxy);
      expect(first.body.data.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
      expect(typeof first.body.pagination.next_page_start).toBe('string');
      // The Go client escapes the cursor as a query value.
      const second = await send('get', `/v1/proxies?count=2&page_start=${encodeURIComponent(first.body.pagination.next_page_start)}`);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[0] })], pagination: { next_page_start: null } });
      // Without count: hcti's default of 10, all three on one page.
      expect((await send('get', '/v1/proxies')).body.data).toHaveLength(3);
      for (const count of ['0', '101']) expect((await send('get', `/v1/proxies?count=${count}`)).status).toBe(400);
      expect((await send('get', '/v1/proxies?page_start=not-a-cursor')).body.message).toBe('page_start is not a cursor this list gave');
      // GetProxy(ctx, "a/b?#") path-escapes the id: a 404, not a route of its own.
      expect((await send('get', '/v1/proxies/a%2Fb%3F%23')).status).toBe(404);
      for (const id of ids) await send('delete', `/v1/proxies/${id}`);
      expect((await send('get', '/v1/proxies')).body).toEqual({ data: [], pagination: { next_page_start: null } });
    });
  });

  describe('one account, one set of proxies', () => {
    it("another account can neither see, change, delete nor render through a proxy", async () => {
      const own = await send('post', '/v1/proxies', `{"name":"mine","url":"http://127.0.0.1","port":${upstream.port},"disabled":false,"authentication":{"username":"render","password":"${PROXY_PASSWORD}","retain_password":null},"bypass_hosts":null}`);
      const id = own.body.id as string;
      expect((await send('get', `/v1/proxies/${id}`, undefined, OTHER)).status).toBe(404);
      expect((await send('get', '/v1/proxies', undefined, OTHER)).body.data).toEqual([]);
      expect((await send('post', `/v1/proxies/${id}`, '{"name":"taken","url":"https://proxy.example","port":null,"disabled":false,"authentication":null,"bypass_hosts":null}', OTHER)).status).toBe(404);
      expect((await send('delete', `/v1/proxies/${id}`, undefined, OTHER)).status).toBe(204);
      expect((await send('get', `/v1/proxies/${id}`)).status).toBe(200);
      const render = await request(api.handler).post('/v1/image').set('Authorization', OTHER).send({ url: `${site.origin}/`, proxy_id: id }).then(keep);
      expect([render.status, render.body.message]).toEqual([400, `proxy_id "${id}" is not an enabled proxy of this account`]);
      await send('delete', `/v1/proxies/${id}`);
    });
  });

  describe('renders through an account proxy (real Chromium)', () => {
    const create = (body: object) => request(api.handler).post('/v1/image').set('Authorization', basicAuth()).send(body).then(keep);
    const image = async (url: string) => decodeImage((await request(api.handler).get(new URL(url).pathname).buffer(true)).body as Buffer);
    let id: string;

    beforeAll(async () => {
      const res = await send(
        'post',
        '/v1/proxies',
        `{"name":"loopback proxy","url":"http://127.0.0.1","port":${upstream.port},"disabled":false,"authentication":{"username":"render","password":"${PROXY_PASSWORD}","retain_password":null},"bypass_hosts":null}`,
      );
      id = res.body.id;
    });

    it("sends the page and its subresources through it, with its credentials, to the address the policy checked", async () => {
      upstream.seen.length = 0;
      const res = await create({ url: `${site.origin}/`, viewport_width: 100, viewport_height: 60, proxy_id: id });
      expect(res.status).toBe(200);
      const img = await image(res.body.url);
      expect([img.width, img.height, img.pixel(20, 20), img.pixel(90, 50)]).toEqual([100, 60, [0, 0, 255, 255], [0, 255, 0, 255]]);
      const port = new URL(site.origin).port;
      expect(upstream.seen.length).toBeGreaterThanOrEqual(1);
      expect(upstream.seen.every((r) => r.method === 'CONNECT' && r.target === `127.0.0.1:${port}`)).toBe(true);
      expect(upstream.seen.every((r) => r.auth === `Basic ${Buffer.from(`render:${PROXY_PASSWORD}`).toString('base64')}`)).toBe(true);
    });

    it('reaches bypass hosts without the proxy, and a replaced password applies to the next render', async () => {
      await send(
        'post',
        `/v1/proxies/${id}`,
        `{"name":"loopback proxy","url":"http://127.0.0.1","port":${upstream.port},"disabled":false,"authentication":{"username":"render","password":null,"retain_password":true},"bypass_hosts":["http://127.0.0.1:${new URL(site.origin).port}/"]}`,
      );
      upstream.seen.length = 0;
      const direct = await create({ url: `${site.origin}/?bypass`, viewport_width: 100, viewport_height: 60, proxy_id: id });
      expect((await image(direct.body.url)).pixel(90, 50)).toEqual([0, 255, 0, 255]);
      expect(upstream.seen).toEqual([]);
      // A wrong password, saved after the create was accepted: the render fails as the request's fault.
      await send('post', `/v1/proxies/${id}`, `{"name":"loopback proxy","url":"http://127.0.0.1","port":${upstream.port},"disabled":false,"authentication":{"username":"render","password":"wrong","retain_password":null},"bypass_hosts":null}`);
      const refused = await create({ url: `${site.origin}/?wrong`, viewport_width: 100, viewport_height: 60, proxy_id: id });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(/^The url could not be loaded: net::ERR_[A-Z_]+$/);
      expect(upstream.seen.length).toBeGreaterThan(0);
    });

    it('refuses creates naming a disabled or deleted proxy', async () => {
      await send('post', `/v1/proxies/${id}`, `{"name":"loopback proxy","url":"http://127.0.0.1","port":${upstream.port},"disabled":true,"authentication":null,"bypass_hosts":null}`);
      const disabled = await create({ url: `${site.origin}/`, proxy_id: id });
      expect([disabled.status, disabled.body.message]).toEqual([400, `proxy_id "${id}" is not an enabled proxy of this account`]);
      await send('delete', `/v1/proxies/${id}`);
      expect((await create({ url: `${site.origin}/`, proxy_id: id })).status).toBe(400);
    });

    it("refuses a proxy whose address the worker's egress policy refuses, before any connection to it", async () => {
      const port = (forbidden.address() as AddressInfo).port;
      const res = await send('post', '/v1/proxies', `{"name":"internal proxy","url":"http://127.0.0.3","port":${port},"disabled":false,"authentication":null,"bypass_hosts":null}`);
      expect(res.status).toBe(200);
      const render = await create({ url: `${site.origin}/`, viewport_width: 100, viewport_height: 60, proxy_id: res.body.id });
      expect([render.status, render.body.message]).toEqual([
        400,
        `proxy_id "${res.body.id}": the proxy's address 127.0.0.3 is refused by the egress policy: it does not resolve, or resolves to a private, loopback or reserved address (URL_ALLOWLIST can open it)`,
      ]);
      expect(forbiddenConnections).toBe(0);
    });
  });

  it('keeps every password out of answers, log lines and stored records', async () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else files.push(fs.readFileSync(full, 'latin1'));
      }
    };
    walk(storageDir);
    expect(answers.length).toBeGreaterThan(20);
    expect(logLines.length).toBeGreaterThan(20);
    expect(files.some((f) => f.includes('sealed_password'))).toBe(true);
    for (const secret of [PROXY_PASSWORD, TF_PASSWORD]) {
      const encoded = [secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64'), Buffer.from(`render:${secret}`).toString('base64')];
      for (const text of [...answers, ...logLines, ...files]) for (const form of encoded) expect(text).not.toContain(form);
    }
  });
});
