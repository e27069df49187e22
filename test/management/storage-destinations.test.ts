// /v1/storage-destinations as hcti's official tools use it: the Terraform provider's lifecycle
// (create with padded values, read back, rename keeping the secret, change what needs a new
// test, delete, read after delete) and the Go client's routes, sent byte for byte as
// encoding/json writes the Go client's types (every nil pointer a null), against a customer's
// S3 server on loopback that checks signatures as S3 does. Providers that live on the internet
// are checked up to the point where traffic would leave loopback, and no further.
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { startSignedS3Server, type SignedS3Server } from '../support/signed-s3-server';
import { eventually } from '../support/eventually';

const GO_HEADERS = { Accept: 'application/json', 'User-Agent': 'HCTIGo/1.4.0 HCTITerraform/test' };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const WRITER = 'arn:aws:iam::123456789012:role/pixelfarm-writer';

describe('/v1/storage-destinations: the Terraform provider and the Go client', () => {
  let customer: SignedS3Server;
  let api: ApiApp;
  let env: Record<string, string>;
  /** Every answer (headers and body) and every log line, to look for the secrets in. */
  const answers: string[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    customer = await startSignedS3Server({ bucket: 'existing-bucket' });
    env = testEnv({
      DESTINATIONS_KEY: Buffer.alloc(32, 7).toString('base64'),
      URL_ALLOWLIST: '127.0.0.1',
      DESTINATION_ATTEMPTS: '1',
      MANAGEMENT_WRITES_PER_MINUTE: '1000',
      DESTINATIONS_AWS_WRITER_ROLE_ARN: WRITER,
      // Nothing listens there: an aws_s3 destination's role cannot be assumed, and no traffic leaves loopback.
      DESTINATIONS_AWS_STS_ENDPOINT: 'http://127.0.0.1:9',
      // Keys of the writer, so that the AWS SDK never looks for credentials elsewhere (the instance metadata address).
      DESTINATIONS_AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      DESTINATIONS_AWS_SECRET_ACCESS_KEY: 'writer-secret-of-this-test',
    });
    api = createApiApp(loadConfig(env), createLogger('api', 'debug', { destination: { write: (line: string) => void logLines.push(line) } }));
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await customer?.stop();
  });

  const send = (method: 'get' | 'post' | 'delete', path: string, body?: string, auth = basicAuth()) => {
    const req = request(api.handler)[method](path).set(GO_HEADERS).set('Authorization', auth);
    return (body === undefined ? req : req.set('Content-Type', 'application/json').send(body)).then((res) => {
      answers.push(JSON.stringify(res.headers), res.text);
      return res;
    });
  };
  /** StorageDestinationRequest{…, ConnectionInfo: &OtherS3CompatibleConnection{…}} as encoding/json writes it. */
  const s3Compatible = (o: { name: string; disabled?: boolean; hctiOff?: boolean; bucket?: string; prefix?: string | null; endpoint?: string; secret?: string | null; retain?: boolean | null; keyId?: string }) =>
    `{"name":${JSON.stringify(o.name)},"disabled":${o.disabled ?? false},"hcti_storage_disabled":${o.hctiOff ?? false},"connection_info":{"provider":"other_s3_compatible",` +
    `"bucket":${JSON.stringify(o.bucket ?? '  existing-bucket  ')},"key_prefix":${JSON.stringify(o.prefix === undefined ? ' /images/cards/ ' : o.prefix)},` +
    `"access_key_id":${JSON.stringify(o.keyId ?? customer.accessKeyId)},"secret_access_key":${JSON.stringify(o.secret === undefined ? ` ${customer.secretAccessKey} ` : o.secret)},` +
    `"retain_secret_access_key":${JSON.stringify(o.retain ?? null)},"endpoint":${JSON.stringify(o.endpoint ?? `${customer.endpoint}/`)},"region":null,"force_path_style":null}}`;

  /** What the Go client's StorageDestination.validateResponse and the provider's read() need. */
  const expectParsed = (d: Record<string, unknown>) => {
    expect(typeof d.id).toBe('string');
    expect(typeof d.name).toBe('string');
    expect(typeof d.enabled).toBe('boolean');
    expect(typeof d.hcti_storage_disabled).toBe('boolean');
    expect(d.created_at).toMatch(RFC3339);
    expect(d.updated_at).toMatch(RFC3339);
    expect(d.last_tested_at === null || RFC3339.test(d.last_tested_at as string)).toBe(true);
    const c = d.connection_info as Record<string, unknown>;
    expect(Object.keys(c).sort()).toEqual(
      ['access_key_id', 'bucket', 'cloudflare_account_id', 'cloudflare_jurisdiction', 'endpoint', 'force_path_style', 'key_prefix', 'provider', 'region', 'role_arn'].sort(),
    );
    expect(c.bucket).not.toBe('');
    if (c.provider === 'aws_s3') expect([c.region, c.role_arn].every((v) => typeof v === 'string' && v !== '')).toBe(true);
    if (c.provider === 'other_s3_compatible') expect([c.endpoint, c.access_key_id].every((v) => typeof v === 'string' && v !== '')).toBe(true);
    expect(JSON.stringify(d)).not.toContain('secret_access_key');
  };
  const since = (from: number, count: number) => eventually(async () => customer.requests.slice(from), (r) => r.length >= count, 5_000, 20);

  it('replays TestStorageLifecycle: create, read, rename keeping the secret, retest on change, disabled with a failed test, delete, read after delete', async () => {
    // Data source htmlcsstoimage_aws_storage_external_id.
    const external = await send('get', '/v1/storage-destinations/aws-external-id');
    expect(external.status).toBe(200);
    expect(external.body).toEqual({ external_id: `pixelfarm:${TEST_KEYS.id}`, writer_role_arn: WRITER });

    // Create: the provider sends its values as configured; the API trims and normalises them.
    let seen = customer.requests.length;
    const created = await send('post', '/v1/storage-destinations', s3Compatible({ name: '  Original  ' }));
    expect(created.status).toBe(200);
    expectParsed(created.body);
    expect(created.body).toMatchObject({
      name: 'Original',
      enabled: true,
      hcti_storage_disabled: false,
      provider: 'S3-compatible',
      connection_info: {
        provider: 'other_s3_compatible',
        bucket: 'existing-bucket',
        key_prefix: 'images/cards',
        region: 'us-east-1',
        role_arn: null,
        access_key_id: customer.accessKeyId,
        endpoint: customer.endpoint,
        force_path_style: true,
      },
      last_test_succeeded: true,
      last_test_error: null,
    });
    expect(created.body.last_tested_at).toBe(created.body.created_at);
    expect((await since(seen, 2)).map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 200', 'DELETE 204']);
    const id = created.body.id as string;

    // Plan-only and import: the read answers what the create did.
    const read = await send('get', `/v1/storage-destinations/${id}`);
    expect(read.status).toBe(200);
    const { connection_test: _test, ...createdView } = created.body;
    expect(read.body).toEqual(createdView);

    // "R2 renamed": same connection, retain_secret_access_key true, secret null. No test.
    seen = customer.requests.length;
    const renamed = await send('post', `/v1/storage-destinations/${id}`, s3Compatible({ name: 'Renamed', secret: null, retain: true }));
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Renamed', last_tested_at: created.body.last_tested_at, last_test_succeeded: true });
    expect(renamed.body.connection_test).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(customer.requests.slice(seen)).toEqual([]);

    // A changed prefix with the retained secret is tested under the new prefix.
    const moved = await send('post', `/v1/storage-destinations/${id}`, s3Compatible({ name: 'Renamed', prefix: 'moved', secret: null, retain: true, hctiOff: true }));
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ hcti_storage_disabled: true, connection_info: { key_prefix: 'moved' }, last_test_succeeded: true });
    expect(moved.body.last_tested_at > created.body.last_tested_at).toBe(true);
    expect(moved.body.connection_test.key).toMatch(/^moved\/\.pixelfarm\/connection-tests\//);

    // Enabled with a wrong secret: 400, nothing saved. Disabled with it: saved, with the failed test.
    const wrong = s3Compatible({ name: 'Broken', secret: 'wrong-secret-value' });
    const refused = await send('post', `/v1/storage-destinations/${id}`, wrong);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^Connection test failed: the credentials were refused: .*\(SignatureDoesNotMatch\)$/);
    expect((await send('get', `/v1/storage-destinations/${id}`)).body.name).toBe('Renamed');
    const parked = await send('post', `/v1/storage-destinations/${id}`, s3Compatible({ name: 'Broken', secret: 'wrong-secret-value', disabled: true }));
    expect(parked.status).toBe(200);
    expect(parked.body).toMatchObject({ name: 'Broken', enabled: false, last_test_succeeded: false, last_test_error: expect.stringMatching(/SignatureDoesNotMatch/) });
    // Enabling it again retests: with the stored (wrong) secret it is refused; with the right one it passes.
    expect((await send('post', `/v1/storage-destinations/${id}`, s3Compatible({ name: 'Broken', secret: null, retain: true }))).status).toBe(400);
    const fixed = await send('post', `/v1/storage-destinations/${id}`, s3Compatible({ name: 'Fixed' }));
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ enabled: true, last_test_succeeded: true, last_test_error: null });

    // Destroy, then the provider's refresh reads 404 and drops the resource; deleting again is fine.
    const deleted = await send('delete', `/v1/storage-destinations/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await send('get', `/v1/storage-destinations/${id}`)).status).toBe(404);
    expect((await send('delete', `/v1/storage-destinations/${id}`)).status).toBe(204);
  });

  it('refuses secrets that are neither sent nor explicitly retained, as hcti does, before any traffic', async () => {
    const created = await send('post', '/v1/storage-destinations', s3Compatible({ name: 'Secrets' }));
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    const seen = customer.requests.length;
    for (const [body, message] of [
      [s3Compatible({ name: 'x y', secret: null }), 'connection_info.secret_access_key is required (or retain_secret_access_key: true, to keep the stored one)'],
      [s3Compatible({ name: 'x y', secret: null, retain: false }), 'connection_info.secret_access_key is required (or retain_secret_access_key: true, to keep the stored one)'],
      [s3Compatible({ name: 'x y', secret: '   ' }), 'connection_info.secret_access_key must not be empty or blank'],
      [s3Compatible({ name: 'x y', retain: true }), 'connection_info.retain_secret_access_key is true and secret_access_key is sent: send one of them'],
      [s3Compatible({ name: 'x y', secret: null, retain: true, keyId: 'OTHERKEY' }), 'connection_info.retain_secret_access_key keeps a secret only with the same provider and access_key_id: send secret_access_key'],
      [s3Compatible({ name: 'no' }), 'name must be 3 to 255 characters'],
    ] as const) {
      const res = await send('post', `/v1/storage-destinations/${id}`, body);
      expect({ body, status: res.status, message: res.body.message }).toEqual({ body, status: 400, message });
    }
    const retainOnCreate = await send('post', '/v1/storage-destinations', s3Compatible({ name: 'New one', secret: null, retain: true }));
    expect(retainOnCreate.body.message).toBe('connection_info.retain_secret_access_key applies to updates only: send secret_access_key');
    expect(customer.requests.slice(seen)).toEqual([]);
  });

  it("replays the Go client's routes: list pages newest first until next_page_start is null, with the data every provider needs", async () => {
    const made: string[] = [];
    for (const name of ['Page one', 'Page two', 'Page three']) {
      const res = await send('post', '/v1/storage-destinations', s3Compatible({ name }), basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey));
      expect(res.status).toBe(200);
      made.push(res.body.id);
    }
    // An aws_s3 destination saved disabled: its role cannot be assumed here, and the answer says why.
    const aws = await send(
      'post',
      '/v1/storage-destinations',
      '{"name":"AWS images","disabled":true,"hcti_storage_disabled":false,"connection_info":{"provider":"aws_s3","bucket":"images","key_prefix":null,"region":"US-East-1","role_arn":"arn:aws:iam::123456789012:role/hcti"}}',
      basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey),
    );
    expect(aws.status).toBe(200);
    expectParsed(aws.body);
    expect(aws.body).toMatchObject({
      provider: 'Amazon S3',
      enabled: false,
      connection_info: { provider: 'aws_s3', bucket: 'images', key_prefix: null, region: 'us-east-1', role_arn: 'arn:aws:iam::123456789012:role/hcti', access_key_id: null, endpoint: null },
      last_test_succeeded: false,
      last_test_error: 'assuming arn:aws:iam::123456789012:role/hcti failed: the endpoint 127.0.0.1:9 is unreachable (ECONNREFUSED)',
    });
    made.push(aws.body.id);

    // ListStorageDestinations(ctx, ListOptions{}): no query at all, the default page of 10.
    const all = await send('get', '/v1/storage-destinations', undefined, basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey));
    expect(all.status).toBe(200);
    expect(all.body.pagination).toEqual({ next_page_start: null });
    expect(all.body.data.map((d: { id: string }) => d.id)).toEqual([...made].reverse());
    all.body.data.forEach(expectParsed);

    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `count=3&page_start=${encodeURIComponent(cursor)}` : 'count=3';
      const res = await send('get', `/v1/storage-destinations?${q}`, undefined, basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey));
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      walked.push(...res.body.data.map((d: { id: string }) => d.id));
      cursor = res.body.pagination.next_page_start;
    } while (cursor !== null);
    expect(walked).toEqual([...made].reverse());
    expect((await send('get', '/v1/storage-destinations?count=0')).status).toBe(400);
  });

  it('checks every provider’s fields, and refuses what does not apply, with no traffic', async () => {
    const body = (connection: string) => `{"name":"Provider check","disabled":true,"hcti_storage_disabled":false,"connection_info":${connection}}`;
    for (const [connection, message] of [
      ['{"provider":"unknown","bucket":"images"}', 'connection_info.provider must be one of aws_s3, cloudflare_r2, backblaze_b2, digitalocean_spaces, wasabi, google_cloud_storage, other_s3_compatible'],
      ['{"provider":"aws_s3","bucket":"images","key_prefix":null,"region":"us-east-1","role_arn":"bad"}', 'connection_info.role_arn must be an IAM role ARN such as arn:aws:iam::123456789012:role/HctiImageStorage'],
      ['{"provider":"aws_s3","bucket":"images","key_prefix":null,"region":null,"role_arn":"arn:aws:iam::123456789012:role/x"}', 'connection_info.region is required for aws_s3'],
      ['{"provider":"google_cloud_storage","bucket":"images","key_prefix":null,"access_key_id":"AKIA","secret_access_key":"s","retain_secret_access_key":null}', 'connection_info.access_key_id must be a Google Cloud Storage HMAC access id, starting with GOOG'],
      ['{"provider":"cloudflare_r2","bucket":"images","key_prefix":null,"access_key_id":"k","secret_access_key":"s","retain_secret_access_key":null,"cloudflare_account_id":"xyz","cloudflare_jurisdiction":null}', 'connection_info.cloudflare_account_id must be 32 hexadecimal characters'],
      ['{"provider":"cloudflare_r2","bucket":"images","cloudflare_account_id":"0123456789abcdef0123456789abcdef","endpoint":"https://r2.example","access_key_id":"k","secret_access_key":"s"}', 'connection_info.endpoint does not apply to cloudflare_r2'],
      ['{"provider":"wasabi","bucket":"images","access_key_id":"k","secret_access_key":"s"}', 'connection_info.region is required for wasabi'],
      ['{"provider":"other_s3_compatible","bucket":"images","endpoint":"https://s3.example.com/path","access_key_id":"k","secret_access_key":"s"}', 'connection_info.endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
      ['{"provider":"other_s3_compatible","bucket":"images","endpoint":"https://s3.example.com","access_key_id":"k","secret_access_key":"s","password":"x"}', 'Unknown field: connection_info.password'],
    ] as const) {
      const res = await send('post', '/v1/storage-destinations', body(connection));
      expect({ connection, status: res.status, message: res.body.message }).toEqual({ connection, status: 400, message });
    }
  });

  it('never answers, logs or stores a secret access key in the clear', async () => {
    const fs = await import('node:fs');
    const files = fs.readdirSync(env.STORAGE_DIR!, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    const stored = files.map((f) => fs.readFileSync(`${f.parentPath}/${f.name}`, 'utf8'));
    expect(stored.filter((text) => text.includes('sealed_secret')).length).toBeGreaterThanOrEqual(3);
    expect(answers.length).toBeGreaterThan(40);
    expect(logLines.length).toBeGreaterThan(20);
    for (const secret of [customer.secretAccessKey, 'wrong-secret-value', 'writer-secret-of-this-test']) {
      expect({ secret, answers: answers.filter((a) => a.includes(secret)).length, logs: logLines.filter((l) => l.includes(secret)).length, stored: stored.filter((t) => t.includes(secret)).length }).toEqual({
        secret,
        answers: 0,
        logs: 0,
        stored: 0,
      });
    }
  });

  it('answers aws-external-id with 403 when the operator configured no AWS identity', async () => {
    const { DESTINATIONS_AWS_WRITER_ROLE_ARN: _unset, ...withoutAws } = env;
    const plain = createApiApp(loadConfig({ ...withoutAws, REDIS_PREFIX: `${env.REDIS_PREFIX}-b` }), createLogger('api', 'silent'));
    try {
      const res = await request(plain.handler).get('/v1/storage-destinations/aws-external-id').set('Authorization', basicAuth());
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'Forbidden', statusCode: 403, message: 'AWS S3 destinations are off on this server: its operator has not set DESTINATIONS_AWS_WRITER_ROLE_ARN' });
      const aws = await request(plain.handler)
        .post('/v1/storage-destinations')
        .set('Authorization', basicAuth())
        .send({ name: 'AWS', connection_info: { provider: 'aws_s3', bucket: 'images', region: 'us-east-1', role_arn: 'arn:aws:iam::123456789012:role/hcti' } });
      expect(aws.status).toBe(403);
    } finally {
      await plain.close();
    }
  });
});
