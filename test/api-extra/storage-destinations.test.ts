// Managing storage destinations through the API, against a customer's S3 server that
// checks signatures as S3 does (s3rver behind a SigV4 gate, each a real process on loopback,
// opened to the API by URL_ALLOWLIST=127.0.0.1): the connection test's object is written and
// deleted, every failure is a 400 naming what failed, refused endpoints get no traffic at all,
// CRUD stays inside the account, and the secret access key is in no answer, no log line and not
// in our own storage in the clear.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import request from 'supertest';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { startSignedS3Server, type SignedS3Server } from '../support/signed-s3-server';
import { eventually } from '../support/eventually';

const THIRD = { id: 'third', key: 'third-secret-key' };
const OTHER = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
const WRONG_SECRET = `wrong-${randomBytes(8).toString('hex')}`;

describe('storage destinations: management', () => {
  let customer: SignedS3Server;
  let writeOnly: SignedS3Server;
  let api: ApiApp;
  let bucketClient: S3Client;
  let env: Record<string, string>;
  const firstKey = randomBytes(32).toString('base64');
  const logLines: string[] = [];
  /** Every answer's body, as text, to look for the secret in. */
  const answers: string[] = [];

  beforeAll(async () => {
    [customer, writeOnly] = await Promise.all([
      startSignedS3Server({ bucket: 'customer-bucket' }),
      startSignedS3Server({ bucket: 'write-only-bucket', deny: ['DELETE'] }),
    ]);
    env = testEnv({
      API_KEYS: `${TEST_KEYS.id}:${TEST_KEYS.key},${TEST_KEYS.otherId}:${TEST_KEYS.otherKey},${THIRD.id}:${THIRD.key}`,
      DESTINATIONS_KEY: firstKey,
      DESTINATIONS_PER_ACCOUNT: '2',
      // More saves a minute than a client would make: the management write limit is tested on its own.
      MANAGEMENT_WRITES_PER_MINUTE: '1000',
      DESTINATION_ATTEMPTS: '2',
      DESTINATION_TIMEOUT_MS: '3000',
      URL_ALLOWLIST: '127.0.0.1',
    });
    // Every line the API writes, at its most talkative level.
    api = createApiApp(loadConfig(env), createLogger('api', 'debug', { destination: { write: (line: string) => void logLines.push(line) } }));
    await api.ready();
    bucketClient = new S3Client({
      endpoint: customer.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
    });
  });

  afterAll(async () => {
    bucketClient?.destroy();
    await api?.close();
    await Promise.all([customer?.stop(), writeOnly?.stop()]);
  });

  const record = <T extends { text: string }>(res: T) => {
    answers.push(res.text);
    return res;
  };
  const call = (method: 'get' | 'post' | 'put' | 'delete', path: string, body?: object, auth = basicAuth()) => {
    const req = request(api.handler)[method](path).set('Authorization', auth);
    return (body ? req.send(body) : req).then(record);
  };
  const settings = (over: Record<string, unknown> = {}) => ({
    name: 'Customer renders',
    endpoint: customer.endpoint,
    region: 'us-east-1',
    force_path_style: true,
    bucket: customer.bucket,
    prefix: 'renders',
    access_key_id: customer.accessKeyId,
    secret_access_key: customer.secretAccessKey,
    ...over,
  });
  const exists = async (key: string) =>
    bucketClient.send(new HeadObjectCommand({ Bucket: customer.bucket, Key: key })).then(
      () => true,
      (err: { name?: string }) => (err.name === 'NotFound' ? false : Promise.reject(err)),
    );
  /** The gate's requests after `from`, once they have all arrived. */
  const requestsSince = (server: SignedS3Server, from: number, count: number) =>
    eventually(async () => server.requests.slice(from), (r) => r.length >= count, 5_000, 20);

  it('creates a destination after writing and deleting the connection test object in the bucket', async () => {
    const seen = customer.requests.length;
    const res = await call('post', '/v1/storage-destinations', settings());
    expect(res.status).toBe(200);
    // Every setting sent comes back in hcti's shape, but the secret.
    expect(res.body).toEqual({
      id: expect.stringMatching(/^sd-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      name: 'Customer renders',
      enabled: true,
      hcti_storage_disabled: false,
      provider: 'S3-compatible',
      connection_info: {
        provider: 'other_s3_compatible',
        bucket: customer.bucket,
        key_prefix: 'renders',
        region: 'us-east-1',
        role_arn: null,
        access_key_id: customer.accessKeyId,
        cloudflare_account_id: null,
        cloudflare_jurisdiction: null,
        endpoint: customer.endpoint,
        force_path_style: true,
      },
      last_tested_at: expect.any(String),
      last_test_succeeded: true,
      last_test_error: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      connection_test: { key: expect.stringMatching(/^renders\/\.pixelfarm\/connection-tests\/[0-9a-f-]{36}\.txt$/), cleaned_up: true },
    });
    const key = res.body.connection_test.key as string;
    // Written, then deleted: the customer's server saw exactly that, and the object is gone.
    expect(await requestsSince(customer, seen, 2)).toEqual([
      { method: 'PUT', path: `/${customer.bucket}/${key}`, status: 200 },
      { method: 'DELETE', path: `/${customer.bucket}/${key}`, status: 204 },
    ]);
    expect(await exists(key)).toBe(false);
  });

  it('keeps a connection test object it may not delete, and still saves the destination', async () => {
    const res = await call(
      'post',
      '/v1/storage-destinations',
      settings({ name: 'Write only', endpoint: writeOnly.endpoint, bucket: writeOnly.bucket, prefix: '', secret_access_key: writeOnly.secretAccessKey }),
      basicAuth(THIRD.id, THIRD.key),
    );
    expect(res.status).toBe(200);
    expect(res.body.connection_test).toEqual({ key: expect.stringMatching(/^\.pixelfarm\/connection-tests\/[0-9a-f-]{36}\.txt$/), cleaned_up: false });
    // Read from the s3rver behind that gate (the gate refuses nothing but DELETE; this skips it).
    const direct = new S3Client({ endpoint: writeOnly.store.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const keys = (await direct.send(new ListObjectsV2Command({ Bucket: writeOnly.bucket }))).Contents?.map((o) => o.Key);
    direct.destroy();
    expect(keys).toEqual([res.body.connection_test.key]);
  });

  it.each([
    ['a wrong secret access key', () => settings({ secret_access_key: WRONG_SECRET }), 'Connection test failed: the credentials were refused: the secret access key does not match the access key id (SignatureDoesNotMatch)'],
    ['an unknown access key id', () => settings({ access_key_id: 'AKIAUNKNOWN' }), () => `Connection test failed: the credentials were refused: ${new URL(customer.endpoint).host} does not know the access key id (InvalidAccessKeyId)`],
    ['a bucket that does not exist', () => settings({ bucket: 'no-such-bucket' }), () => `Connection test failed: bucket no-such-bucket does not exist at ${new URL(customer.endpoint).host} (NoSuchBucket)`],
  ])('refuses %s with 400 naming it, and saves nothing', async (_what, body, message) => {
    const before = (await call('get', '/v1/storage-destinations?count=100')).body.data.length;
    const res = await call('post', '/v1/storage-destinations', body());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Bad Request', statusCode: 400, message: typeof message === 'string' ? message : message() });
    expect((await call('get', '/v1/storage-destinations?count=100')).body.data).toHaveLength(before);
  });

  it('says an endpoint is unreachable when nothing listens there', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const res = await call('post', '/v1/storage-destinations', settings({ endpoint: `http://127.0.0.1:${port}` }));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`Connection test failed: the endpoint 127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
  });

  it('says an endpoint did not answer in time, within DESTINATION_TIMEOUT_MS per attempt', async () => {
    // Accepts connections and never answers.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const res = await call('post', '/v1/storage-destinations', settings({ endpoint: `http://127.0.0.1:${port}` }));
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(`Connection test failed: the endpoint 127.0.0.1:${port} did not answer in time`);
      // Two attempts (DESTINATION_ATTEMPTS) of 3 s (DESTINATION_TIMEOUT_MS), and the SDK's backoff between them.
      expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 3000);
      expect(Date.now() - started).toBeLessThan(2 * 3000 + 5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  describe('the egress policy', () => {
    let listener: net.Server;
    let port: number;
    let connections = 0;

    beforeAll(async () => {
      // A loopback address URL_ALLOWLIST does not open (it opens 127.0.0.1 only).
      listener = net.createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.2', resolve));
      port = (listener.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

    it('refuses a private endpoint URL_ALLOWLIST does not open, without connecting to it', async () => {
      const res = await call('post', '/v1/storage-destinations', settings({ endpoint: `https://127.0.0.2:${port}` }));
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(
        'Connection test failed: the endpoint host 127.0.0.2 is refused by the egress policy: it does not resolve, or resolves to a private, loopback or reserved address (URL_ALLOWLIST can open it)',
      );
      const plain = await call('post', '/v1/storage-destinations', settings({ endpoint: `http://127.0.0.2:${port}` }));
      expect(plain.status).toBe(400);
      expect(plain.body.message).toBe('endpoint must use https (http is allowed only for a host URL_ALLOWLIST opens)');
      expect(connections).toBe(0);
    });

    // Refused on their shape alone: no DNS is asked and nothing is sent (no test traffic leaves loopback).
    it.each([
      ['http://s3.example.com', 'endpoint must use https (http is allowed only for a host URL_ALLOWLIST opens)'],
      ['https://user:pass@s3.example.com', 'endpoint must not hold credentials: send them in access_key_id and secret_access_key'],
      ['https://s3.example.com/my-bucket', 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
      ['https://s3.example.com?region=x', 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
      ['https://s3.example.com#x', 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
      ['s3://s3.example.com', 'endpoint must be an https:// URL'],
    ])('refuses the endpoint %s before any traffic', async (endpoint, message) => {
      const res = await call('post', '/v1/storage-destinations', settings({ endpoint }));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^(endpoint: )?${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    });
  });

  describe('reading, changing and deleting', () => {
    let id: string;

    beforeAll(async () => {
      const res = await call('post', '/v1/storage-destinations', settings({ name: 'Editable', prefix: 'edit/me' }));
      expect(res.status).toBe(200);
      id = res.body.id;
    });

    it('lists and reads the account’s own destinations only; another account gets 404', async () => {
      const list = await call('get', '/v1/storage-destinations');
      expect(list.status).toBe(200);
      expect(list.body.data.map((d: { id: string }) => d.id)).toContain(id);
      const one = await call('get', `/v1/storage-destinations/${id}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id, name: 'Editable', connection_info: { key_prefix: 'edit/me' }, enabled: true });
      expect(one.body.connection_test).toBeUndefined();
      expect((await call('get', '/v1/storage-destinations', undefined, OTHER)).body).toEqual({ data: [], pagination: { next_page_start: null } });
      // Another account's id, and ids nobody has.
      for (const [method, path, auth] of [
        ['get', `/v1/storage-destinations/${id}`, OTHER],
        ['put', `/v1/storage-destinations/${id}`, OTHER],
        ['post', `/v1/storage-destinations/${id}/disable`, OTHER],
        ['post', `/v1/storage-destinations/${id}/enable`, OTHER],
        ['get', '/v1/storage-destinations/sd-00000000-0000-4000-8000-000000000000', basicAuth()],
        ['get', '/v1/storage-destinations/not-an-id', basicAuth()],
      ] as const) {
        const res = await call(method, path, method === 'put' ? { name: 'Mine now' } : undefined, auth);
        expect([method, path, res.status, res.body.message]).toEqual([method, path, 404, 'Storage destination not found']);
      }
      // Deleting is 204 whether or not the account has that id (hcti: a repeated delete succeeds); another's stays.
      expect((await call('delete', `/v1/storage-destinations/${id}`, undefined, OTHER)).status).toBe(204);
      expect((await call('get', `/v1/storage-destinations/${id}`)).body.name).toBe('Editable');
    });

    it('renames without a connection test, and tests again when the connection changes, keeping the secret when none is sent', async () => {
      const seen = customer.requests.length;
      const renamed = await call('put', `/v1/storage-destinations/${id}`, { name: 'Renamed', keep_copy: false });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ id, name: 'Renamed', hcti_storage_disabled: true, connection_info: { key_prefix: 'edit/me' } });
      expect(renamed.body.connection_test).toBeUndefined();
      expect(renamed.body.updated_at > renamed.body.created_at).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(customer.requests.slice(seen)).toEqual([]);

      // A new prefix is tested with the stored secret, under the new prefix.
      const moved = await call('put', `/v1/storage-destinations/${id}`, { prefix: 'moved' });
      expect(moved.status).toBe(200);
      expect(moved.body.connection_test.key).toMatch(/^moved\/\.pixelfarm\/connection-tests\//);
      expect((await requestsSince(customer, seen, 2)).map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 200', 'DELETE 204']);

      // A wrong secret fails the test and changes nothing.
      const wrong = await call('put', `/v1/storage-destinations/${id}`, { secret_access_key: WRONG_SECRET, name: 'Broken' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toMatch(/^Connection test failed: the credentials were refused: .*\(SignatureDoesNotMatch\)$/);
      expect((await call('get', `/v1/storage-destinations/${id}`)).body).toMatchObject({ name: 'Renamed', connection_info: { key_prefix: 'moved' } });

      const invalid = await call('put', `/v1/storage-destinations/${id}`, { prefix: '/leading' });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toBe('prefix takes no leading or trailing slash');
    });

    it('disables and enables', async () => {
      const off = await call('post', `/v1/storage-destinations/${id}/disable`);
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id, enabled: false });
      expect((await call('get', `/v1/storage-destinations/${id}`)).body.enabled).toBe(false);
      const on = await call('post', `/v1/storage-destinations/${id}/enable`);
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ id, enabled: true });
    });

    it('deletes its settings and credentials and never an object of the bucket', async () => {
      await bucketClient.send(new PutObjectCommand({ Bucket: customer.bucket, Key: 'moved/customer-file.png', Body: 'mine' }));
      const seen = (await eventually(async () => customer.requests, (r) => r.some((x) => x.path.endsWith('/customer-file.png')), 5_000, 20)).length;
      const res = await call('delete', `/v1/storage-destinations/${id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await call('get', `/v1/storage-destinations/${id}`)).status).toBe(404);
      expect(await api.storage.get(`accounts/${TEST_KEYS.id}/destinations/${id}.json`)).toBeNull();
      expect(customer.requests.slice(seen)).toEqual([]);
      expect(await exists('moved/customer-file.png')).toBe(true);
    });
  });

  it('caps the destinations of an account at DESTINATIONS_PER_ACCOUNT', async () => {
    const third = basicAuth(THIRD.id, THIRD.key);
    // The third account has one (the write-only destination); the cap is 2.
    expect((await call('post', '/v1/storage-destinations', settings({ name: 'Second' }), third)).status).toBe(200);
    const res = await call('post', '/v1/storage-destinations', settings({ name: 'Third' }), third);
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('This account has 2 storage destinations, the most this server allows (DESTINATIONS_PER_ACCOUNT): delete one first');
  });

  it('rotates DESTINATIONS_KEY: the new key seals, the old one still opens until each destination is saved again', async () => {
    const secondKey = randomBytes(32).toString('base64');
    // Other API processes over the same storage, with the keys an operator would roll out.
    const withKeys = (keys: string) => createApiApp(loadConfig({ ...env, DESTINATIONS_KEY: keys }), createLogger('api', 'silent'));
    const other = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
    const created = await call('post', '/v1/storage-destinations', settings({ name: 'Rotated' }), other);
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    const sealedWith = async () => JSON.parse((await api.storage.get(`accounts/${TEST_KEYS.otherId}/destinations/${id}.json`))!.toString()).sealed_secret.split('.')[1];
    const before = await sealedWith();
    const retest = (app: ApiApp) => request(app.handler).put(`/v1/storage-destinations/${id}`).set('Authorization', other).send({ prefix: `p${Date.now()}` }).then(record);

    const onlySecond = withKeys(secondKey);
    const rolling = withKeys(`${secondKey},${firstKey}`);
    try {
      // The old key dropped too soon: the secret does not open, and the answer says what to do.
      const lost = await retest(onlySecond);
      expect(lost.status).toBe(400);
      expect(lost.body.message).toMatch(
        new RegExp(`^Storage destination ${id}: its secret cannot be opened \\(the secret is sealed with a key DESTINATIONS_KEY does not hold \\(key id ${before}\\)\\); save its secret_access_key again$`),
      );
      // Both keys: it opens with the old one, and a save with an empty body seals it with the new one.
      expect((await retest(rolling)).status).toBe(200);
      const resaved = await request(rolling.handler).put(`/v1/storage-destinations/${id}`).set('Authorization', other).send({}).then(record);
      expect(resaved.status).toBe(200);
      expect(await sealedWith()).not.toBe(before);
      // Now the old key can go.
      expect((await retest(onlySecond)).status).toBe(200);
    } finally {
      await Promise.all([onlySecond.close(), rolling.close()]);
    }
  });

  it('answers 403 when the server has no DESTINATIONS_KEY', async () => {
    const off = createApiApp(loadConfig(testEnv()), createLogger('api', 'silent'));
    try {
      for (const [method, path] of [
        ['get', '/v1/storage-destinations'],
        ['post', '/v1/storage-destinations'],
        ['get', '/v1/storage-destinations/sd-00000000-0000-4000-8000-000000000000'],
      ] as const) {
        const res = await request(off.handler)[method](path).set('Authorization', basicAuth()).send(method === 'post' ? settings() : undefined);
        expect(res.status).toBe(403);
        expect(res.body.message).toBe('Storage destinations are off on this server: its operator has not set DESTINATIONS_KEY');
      }
    } finally {
      await off.close();
    }
  });

  it('never answers, logs or stores the secret access key in the clear', async () => {
    const list = await call('get', '/v1/storage-destinations?count=100');
    for (const id of list.body.data.map((d: { id: string }) => d.id)) {
      const stored = (await api.storage.get(`accounts/${TEST_KEYS.id}/destinations/${id}.json`))!.toString();
      expect(JSON.parse(stored)).toMatchObject({ id, sealed_secret: expect.stringMatching(/^v1\./) });
      expect(stored).not.toContain(customer.secretAccessKey);
    }
    expect(answers.length).toBeGreaterThan(20);
    expect(logLines.length).toBeGreaterThan(20);
    for (const secret of [customer.secretAccessKey, writeOnly.secretAccessKey, WRONG_SECRET]) {
      expect(answers.filter((a) => a.includes(secret))).toEqual([]);
      expect(logLines.filter((l) => l.includes(secret))).toEqual([]);
    }
    expect(answers.filter((a) => a.includes('"secret_access_key"') || a.includes('sealed_secret'))).toEqual([]);
  });
});
