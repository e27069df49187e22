// The secrets that sign an account's callbacks (Standard Webhooks, `whsec_<base64>`): configured
// in WEBHOOK_SECRETS, or derived from the account's API key. A receiver holds only this secret,
// never the API key, and cannot work the key out of it (a receiver given the raw key could call the API as the account).
import { createHmac } from 'node:crypto';
import type { ApiKey } from './api-keys';
import { listOf } from '@pixelfarm/env';

export interface WebhookSecret {
  /** API id whose callbacks the secret signs. */
  id: string;
  /** `whsec_` followed by the base64 of the key bytes, as Standard Webhooks libraries take it. */
  secret: string;
}

/**
 * Fixed label of the derivation: changing it would change every derived secret. Documented in the
 * README so clients can compute their secret from their API key.
 */
export const WEBHOOK_SECRET_LABEL = 'pixelfarm webhook signing secret v1';

const SECRET_PATTERN = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
/** Standard Webhooks asks for 24 to 64 random bytes. */
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/** `whsec_` + base64(HMAC-SHA256(key = API key, message = WEBHOOK_SECRET_LABEL)). */
export function deriveWebhookSecret(apiKey: string): string {
  return `whsec_${createHmac('sha256', apiKey).update(WEBHOOK_SECRET_LABEL).digest('base64')}`;
}

/**
 * Parses WEBHOOK_SECRETS: `id:whsec_…` pairs separated by commas. An id may appear more than once:
 * during a rotation every one of its secrets signs (one `v1,` signature each), the first listed
 * being the current one. Throws with what is wrong, never echoing a secret.
 */
export function parseWebhookSecrets(raw: string): WebhookSecret[] {
  return listOf(raw).map((pair, i) => {
    const at = pair.indexOf(':');
    if (at <= 0) throw new Error(`entry ${i + 1} is not id:whsec_… (an API id, a colon, a secret)`);
    const id = pair.slice(0, at);
    const match = SECRET_PATTERN.exec(pair.slice(at + 1));
    if (!match) throw new Error(`the secret of "${id}" must be whsec_ followed by base64`);
    const bytes = Buffer.from(match[1]!, 'base64').length;
    if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
      throw new Error(`the secret of "${id}" must hold ${MIN_BYTES} to ${MAX_BYTES} bytes, it holds ${bytes}`);
    }
    return { id, secret: pair.slice(at + 1) };
  });
}

/**
 * The secrets that sign an account's callbacks, current first: the configured ones, or else the
 * one derived from its API key; none when the account has neither (its callbacks are refused).
 */
export function webhookSecretsOf(account: string, configured: readonly WebhookSecret[], keys: readonly ApiKey[]): string[] {
  const own = configured.filter((s) => s.id === account).map((s) => s.secret);
  if (own.length > 0) return own;
  const key = keys.find((k) => k.id === account)?.key;
  return key ? [deriveWebhookSecret(key)] : [];
}
