// Callbacks are signed so that a receiver built on the standardwebhooks library accepts them,
// and refuses them replayed outside its tolerance or altered; the legacy X-Signature stays.
import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { deriveWebhookSecret } from '@pixelfarm/config';
import { legacySignature, WebhookSigner } from './webhook-signer';

const API_KEY = 'tester-secret-key';
const BODY = JSON.stringify({ id: '0193c1c0-0000-7000-8000-000000000000', url: 'http://img.test/v1/image/x', status: 'done' });
const AT = new Date('2026-05-01T12:00:00Z');

/** What a receiver does with the library: verify the raw body and the three headers. */
function receive(secret: string, body: string, headers: Record<string, string>): unknown {
  return new Webhook(secret).verify(body, headers);
}

/** Runs `fn` with the receiver's clock at `at` (the library reads Date.now). */
function at<T>(when: Date, fn: () => T): T {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(when.getTime());
  try {
    return fn();
  } finally {
    spy.mockRestore();
  }
}

describe('WebhookSigner', () => {
  const secret = deriveWebhookSecret(API_KEY);
  const signer = new WebhookSigner({ secretsOf: () => [secret], legacyKeyOf: () => API_KEY, now: () => AT });

  it('sends webhook-id, webhook-timestamp and webhook-signature that the library verifies', () => {
    const headers = signer.headers('tester', 'msg_image-1_1', BODY)!;
    expect(headers['webhook-id']).toBe('msg_image-1_1');
    expect(headers['webhook-timestamp']).toBe(String(AT.getTime() / 1000));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(at(AT, () => receive(secret, BODY, headers))).toEqual(JSON.parse(BODY));
    // Within the library's five minutes either way, a delivery is accepted.
    expect(at(new Date(AT.getTime() + 299_000), () => receive(secret, BODY, headers))).toEqual(JSON.parse(BODY));
  });

  it('is refused when replayed outside the tolerance, or with a body, timestamp or secret that differs', () => {
    const headers = signer.headers('tester', 'msg_image-1_1', BODY)!;
    const late = new Date(AT.getTime() + 6 * 60_000);
    expect(() => at(late, () => receive(secret, BODY, headers))).toThrow(new WebhookVerificationError('Message timestamp too old'));
    // Moving the timestamp forward to get past the tolerance breaks the signature.
    const moved = { ...headers, 'webhook-timestamp': String(late.getTime() / 1000) };
    expect(() => at(late, () => receive(secret, BODY, moved))).toThrow(new WebhookVerificationError('No matching signature found'));
    expect(() => at(AT, () => receive(secret, BODY.replace('done', 'failed'), headers))).toThrow('No matching signature found');
    expect(() => at(AT, () => receive(deriveWebhookSecret('another-key-entirely'), BODY, headers))).toThrow('No matching signature found');
  });

  it('signs with a secret derived from the API key, not the key itself, as the README recipe computes it', () => {
    const recipe = `whsec_${createHmac('sha256', API_KEY).update('pixelfarm webhook signing secret v1').digest('base64')}`;
    expect(secret).toBe(recipe);
    expect(secret).not.toContain(API_KEY);
    // A receiver holding the raw API key as its secret does not verify: the key is not the secret.
    const headers = signer.headers('tester', 'msg_1', BODY)!;
    expect(() => at(AT, () => receive(`whsec_${Buffer.from(API_KEY).toString('base64')}`, BODY, headers))).toThrow('No matching signature found');
  });

  it('signs once per secret during a rotation, so receivers holding either verify', () => {
    const [current, previous] = ['whsec_' + Buffer.alloc(32, 1).toString('base64'), 'whsec_' + Buffer.alloc(32, 2).toString('base64')];
    const rotating = new WebhookSigner({ secretsOf: () => [current, previous], now: () => AT });
    const headers = rotating.headers('tester', 'msg_2', BODY)!;
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) expect(at(AT, () => receive(secret, BODY, headers))).toEqual(JSON.parse(BODY));
    // Without legacyKeyOf (CALLBACK_LEGACY_SIGNATURE=false) there is no X-Signature.
    expect(headers['X-Signature']).toBeUndefined();
  });

  it('keeps the legacy X-Signature: sha256=<hex HMAC of the body keyed with the API key>', () => {
    const headers = signer.headers('tester', 'msg_3', BODY)!;
    expect(headers['X-Signature']).toBe(`sha256=${createHmac('sha256', API_KEY).update(BODY).digest('hex')}`);
    expect(headers['X-Signature']).toBe(legacySignature(API_KEY, BODY));
  });

  it('has no headers for an account without a secret (its callbacks are refused)', () => {
    expect(new WebhookSigner({ secretsOf: () => [] }).headers('gone', 'msg_4', BODY)).toBeUndefined();
  });
});
