// Signs a callback as Standard Webhooks (standardwebhooks.com) asks, with the library its
// receivers verify with: webhook-id (the same on every retry of one notification, so receivers
// can drop duplicates), webhook-timestamp (this attempt, so a captured request replays only
// within the receiver's tolerance) and webhook-signature (`v1,<base64>` per secret of the
// account, space-separated, so a rotation can overlap). X-Signature, the HMAC of the body keyed
// with the raw API key, is kept for receivers built before (CALLBACK_LEGACY_SIGNATURE).
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface WebhookSignerOptions {
  /** The account's signing secrets (`whsec_…`), current first; empty when it has none. */
  secretsOf: (account: string) => readonly string[];
  /** The account's API key for the legacy X-Signature; absent: X-Signature is not sent. */
  legacyKeyOf?: (account: string) => string | undefined;
  /** Clock, for tests. */
  now?: () => Date;
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the API key: the legacy X-Signature. */
export function legacySignature(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

export class WebhookSigner {
  private readonly webhooks = new Map<string, Webhook>();

  constructor(private readonly options: WebhookSignerOptions) {}

  /** The headers that sign `body` for `account`, or undefined when the account has no secret. */
  headers(account: string, messageId: string, body: string): Record<string, string> | undefined {
    const secrets = this.options.secretsOf(account);
    if (secrets.length === 0) return undefined;
    const at = (this.options.now ?? (() => new Date()))();
    const headers: Record<string, string> = {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': secrets.map((secret) => this.webhook(secret).sign(messageId, at, body)).join(' '),
    };
    const key = this.options.legacyKeyOf?.(account);
    if (key) headers['X-Signature'] = legacySignature(key, body);
    return headers;
  }

  private webhook(secret: string): Webhook {
    let webhook = this.webhooks.get(secret);
    if (!webhook) this.webhooks.set(secret, (webhook = new Webhook(secret)));
    return webhook;
  }
}
