// Callbacks signed as Standard Webhooks, end to end: a create with callback_url, rendered by a
// worker in this process, delivered to a receiver on loopback that is built on the
// standardwebhooks library the README tells integrators to use. The receiver accepts our
// deliveries (derived secret, configured secrets during a rotation), refuses the same request
// replayed outside the library's tolerance, and the legacy X-Signature is still there.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';

// Configured secrets of the other account, as an operator rotating them would list them.
const CURRENT = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const PREVIOUS = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
/** The README's recipe: whsec_ + base64(HMAC-SHA256(key = API key, "pixelfarm webhook signing secret v1")). */
const derived = (apiKey: string) => `whsec_${createHmac('sha256', apiKey).update('pixelfarm webhook signing secret v1').digest('base64')}`;

interface Delivery {
  path: string;
  raw: string;
  headers: Record<string, string>;
  /** What the receiver answered: 204 verified, 401 refused, with the library's reason. */
  status: number;
  reason?: string;
}

/** A receiver as an integrator writes it: the library verifies the raw body and the headers. */
class VerifyingReceiver {
  readonly deliveries: Delivery[] = [];
  /** Moves the receiver's clock, to replay a captured request later than the tolerance. */
  clockOffsetMs = 0;
  private readonly server: http.Server;
  base = '';

  constructor(private readonly secretOf: (path: string) => string) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const delivery: Delivery = { path: req.url ?? '', raw, headers, status: 204 };
        try {
          this.withClock(() => new Webhook(this.secretOf(delivery.path)).verify(raw, headers));
        } catch (err) {
          delivery.status = 401;
          delivery.reason = (err as Error).message;
        }
        this.deliveries.push(delivery);
        res.writeHead(delivery.status).end();
      });
    });
  }

  private withClock<T>(fn: () => T): T {
    const realNow = Date.now;
    const offset = this.clockOffsetMs;
    Date.now = () => realNow() + offset;
    try {
      return fn();
    } finally {
      Date.now = realNow;
    }
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async waitFor(path: string, timeoutMs = 30_000): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.deliveries.find((d) => d.path === path);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no delivery to ${path} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends a captured delivery again, byte for byte: what an attacker who saw it could do. */
  replay(delivery: Delivery): Promise<number> {
    const url = new URL(delivery.path, this.base);
    const { host: _host, connection: _connection, 'content-length': _length, ...headers } = delivery.headers;
    return fetch(url, { method: 'POST', headers, body: delivery.raw }).then((res) => res.status);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('Standard Webhooks signatures on callbacks', () => {
  let stack: InProcessStack;
  const receiver = new VerifyingReceiver((path) => (path.startsWith('/other') ? CURRENT : derived(TEST_KEYS.key)));
  const previousOnly = new VerifyingReceiver(() => PREVIOUS);

  beforeAll(async () => {
    await receiver.listen();
    await previousOnly.listen();
    stack = await startInProcessStack({
      PUBLIC_URL: 'http://img.test',
      URL_ALLOWLIST: '127.0.0.1',
      WEBHOOK_SECRETS: `${TEST_KEYS.otherId}:${CURRENT},${TEST_KEYS.otherId}:${PREVIOUS}`,
      CALLBACK_ATTEMPTS: '1',
    });
  });

  afterAll(async () => {
    await stack?.close();
    await receiver.close();
    await previousOnly.close();
  });

  const create = (callbackUrl: string, auth = basicAuth()) =>
    request(stack.api.handler)
      .post('/v1/image')
      .set('Authorization', auth)
      .send({ html: '<div style="width:10px;height:10px;background:#0a0"></div>', device_scale: 1, dedupe_duration_s: 0, callback_url: callbackUrl });

  it('is accepted by a receiver on the library holding the secret derived from the API key', async () => {
    const res = await create(`${receiver.base}/tester`);
    expect(res.status).toBe(200);
    const delivery = await receiver.waitFor('/tester');
    expect(delivery.reason).toBeUndefined();
    expect(delivery.status).toBe(204);
    expect(JSON.parse(delivery.raw)).toEqual({ id: res.body.id, url: res.body.url, status: 'done' });
    expect(delivery.headers['webhook-id']).toMatch(new RegExp(`^msg_image-${res.body.id}_\\d+$`));
    expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    // The legacy header, for receivers written before: HMAC of the body keyed with the API key.
    expect(delivery.headers['x-signature']).toBe(`sha256=${createHmac('sha256', TEST_KEYS.key).update(delivery.raw).digest('hex')}`);

    // The same request replayed within the tolerance verifies (receivers drop it by webhook-id);
    // replayed six minutes later, the library refuses it.
    expect(await receiver.replay(delivery)).toBe(204);
    receiver.clockOffsetMs = 6 * 60_000;
    try {
      expect(await receiver.replay(delivery)).toBe(401);
      expect(receiver.deliveries.at(-1)!.reason).toBe('Message timestamp too old');
    } finally {
      receiver.clockOffsetMs = 0;
    }
  });

  it('signs with every configured secret of an account during a rotation', async () => {
    const other = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
    expect((await create(`${receiver.base}/other`, other)).status).toBe(200);
    expect((await create(`${previousOnly.base}/other-previous`, other)).status).toBe(200);
    const [current, previous] = [await receiver.waitFor('/other'), await previousOnly.waitFor('/other-previous')];
    expect([current.status, previous.status]).toEqual([204, 204]);
    expect(current.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    // The derived secret is not used once secrets are configured for the account.
    expect(() => new Webhook(derived(TEST_KEYS.otherKey)).verify(current.raw, current.headers)).toThrow('No matching signature found');
  });
});
