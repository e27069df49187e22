// The callback job: signs the stored body with the account's API key and POSTs it. A non-2xx
// answer or a network error throws, so BullMQ retries with exponential backoff.
import { createHmac } from 'node:crypto';
import type { Job } from 'bullmq';
import { CallbackRefusedError, type CallbackJobData } from '@pixelfarm/queue';
import type { WebhookSender } from '../callbacks/webhook-sender';

export interface DeliverCallbackJobDeps {
  sender: Pick<WebhookSender, 'post'>;
  /** The current API key of an account (it signs the body). */
  keyOf: (account: string) => string | undefined;
  onSent?: (job: Job<CallbackJobData>) => void;
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the API key: what X-Signature carries. */
export function callbackSignature(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

export function createDeliverCallbackJob(deps: DeliverCallbackJobDeps): (job: Job<CallbackJobData>) => Promise<void> {
  return async (job) => {
    const key = deps.keyOf(job.data.account);
    if (!key) throw new CallbackRefusedError(`account ${job.data.account} has no API key to sign with`);
    const status = await deps.sender.post(job.data.url, job.data.body, { 'X-Signature': callbackSignature(key, job.data.body) });
    if (status < 200 || status > 299) throw new Error(`callback_url answered ${status}`);
    deps.onSent?.(job);
  };
}
