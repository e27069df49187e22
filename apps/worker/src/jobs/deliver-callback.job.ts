// The callback job: signs the stored body (Standard Webhooks, plus the legacy X-Signature) and
// POSTs it. A non-2xx answer or a network error throws, so BullMQ retries with exponential backoff.
import type { Job } from 'bullmq';
import { CallbackRefusedError, type CallbackJobData } from '@pixelfarm/queue';
import type { WebhookSender } from '../callbacks/webhook-sender';
import type { WebhookSigner } from '../callbacks/webhook-signer';

export interface DeliverCallbackJobDeps {
  sender: Pick<WebhookSender, 'post'>;
  signer: Pick<WebhookSigner, 'headers'>;
  onSent?: (job: Job<CallbackJobData>) => void;
}

/**
 * The notification's webhook-id: the same on every attempt of the job, and new when an id is
 * queued again later (a job's id with its creation time), so receivers may drop duplicates by it.
 */
export function webhookIdOf(job: Pick<Job, 'id' | 'timestamp'>): string {
  return `msg_${job.id}_${job.timestamp}`;
}

export function createDeliverCallbackJob(deps: DeliverCallbackJobDeps): (job: Job<CallbackJobData>) => Promise<void> {
  return async (job) => {
    const headers = deps.signer.headers(job.data.account, webhookIdOf(job), job.data.body);
    if (!headers) throw new CallbackRefusedError(`account ${job.data.account} has no API key or webhook secret to sign with`);
    const status = await deps.sender.post(job.data.url, job.data.body, headers);
    if (status < 200 || status > 299) throw new Error(`callback_url answered ${status}`);
    deps.onSent?.(job);
  };
}
