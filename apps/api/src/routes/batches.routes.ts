// /v1/batches: bulk jobs of up to BATCH_MAX creates, answered 202 at once and followed by
// polling their status (or a callback). Only the owning account sees a batch.
import { batchStatusQuerySchema, bulkJobBodySchema, parseBatchStatusQuery, parseBulkJob, type createImageSchema } from '@pixelfarm/schemas';
import type { BatchService } from '../services/batch.service';
import type { Route } from '../http/route';
import { sendCredits } from '../http/credit-headers';
import { EXAMPLE_IMAGE_ID, error, json, ok, responses } from '../docs/route-docs';
import { EXAMPLE_VARIATIONS } from './batch.routes';

export interface BatchesRoutesDeps {
  batches: Pick<BatchService, 'create' | 'status'>;
  createSchema: ReturnType<typeof createImageSchema>;
  maxBatch: number;
  pageSize: number;
}

export function batchesRoutes(deps: BatchesRoutesDeps): Route[] {
  return [
    {
      id: 'createBulkJob',
      method: 'post',
      path: '/v1/batches',
      tag: 'Images',
      summary: 'Queue a bulk job of many images, answered at once',
      description:
        'Every variation is checked first (a bad one is a 400 naming its index, and nothing is queued); the renders then run in ' +
        'the low-priority lane. callback_url receives {batch_id, total, done, failed, status_url} when all are finished, signed ' +
        'as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature with your webhook secret) and with the legacy ' +
        'X-Signature: sha256=<HMAC of the body with your API key>.',
      access: 'basic',
      body: { ...json('BulkJob', bulkJobBodySchema(deps.createSchema, deps.maxBatch)), forms: true, example: EXAMPLE_VARIATIONS },
      responses: {
        202: ok('Accepted; poll status_url', 'BulkJobAccepted', responses.bulkJobAccepted),
        429: error('The bulk lane is full', { 'Retry-After': 'Seconds to wait before retrying' }),
      },
      handler: async (req, res) => {
        const job = parseBulkJob(deps.createSchema, req.body ?? {}, deps.maxBatch);
        const accepted = await deps.batches.create(res.locals.account as string, job, { onCredits: sendCredits(res) });
        res.status(202).location(accepted.status_url).json(accepted);
      },
    },
    {
      id: 'getBulkJob',
      method: 'get',
      path: '/v1/batches/{id}',
      tag: 'Images',
      summary: 'Progress and results of a bulk job, a page of images at a time',
      access: 'basic',
      pathParams: { id: { description: 'batch_id returned by POST /v1/batches (b-<uuid>)', example: `b-${EXAMPLE_IMAGE_ID}` } },
      query: batchStatusQuerySchema,
      responses: { 200: ok('Counts and a page of images, in order', 'BulkJobStatus', responses.bulkJobStatus), 404: error('No such bulk job in this account') },
      handler: async (req, res) => {
        const { start, limit } = parseBatchStatusQuery(req.query as Record<string, unknown>, deps.pageSize);
        res.status(200).json(await deps.batches.status(res.locals.account as string, String(req.params.id), start, limit));
      },
    },
  ];
}
