// /v1/batches: bulk jobs of up to BATCH_MAX creates, answered 202 at once and followed by
// polling their status (or a callback). Only the owning account sees a batch.
import { Router, type RequestHandler } from 'express';
import { parseBatchStatusQuery, parseBulkJob, type createImageSchema } from '@pixelfarm/schemas';
import type { BatchService } from '../services/batch.service';

export interface BatchesRoutesDeps {
  batches: Pick<BatchService, 'create' | 'status'>;
  createSchema: ReturnType<typeof createImageSchema>;
  auth: RequestHandler;
  bodyParsers: RequestHandler[];
  maxBatch: number;
  pageSize: number;
}

export function batchesRoutes(deps: BatchesRoutesDeps): Router {
  const router = Router();

  router.post('/v1/batches', deps.auth, ...deps.bodyParsers, async (req, res) => {
    const job = parseBulkJob(deps.createSchema, req.body ?? {}, deps.maxBatch);
    const accepted = await deps.batches.create(res.locals.account as string, job);
    res.status(202).location(accepted.status_url).json(accepted);
  });

  router.get('/v1/batches/:id', deps.auth, async (req, res) => {
    const { start, limit } = parseBatchStatusQuery(req.query as Record<string, unknown>, deps.pageSize);
    res.status(200).json(await deps.batches.status(res.locals.account as string, String(req.params.id), start, limit));
  });

  return router;
}
