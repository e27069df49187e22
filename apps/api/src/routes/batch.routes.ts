// /v1/image/batch: create up to IMAGE_BATCH_MAX images in one request, or delete several.
// Mounted before the image routes, whose /v1/image/:file would otherwise take "batch".
import { Router, type RequestHandler } from 'express';
import { parseBatchCreate, parseBatchDelete, type createImageSchema } from '@pixelfarm/schemas';
import type { ImageCreateService } from '../services/image-create.service';
import type { ImageService } from '../services/image.service';

export interface BatchRoutesDeps {
  creator: Pick<ImageCreateService, 'createBatch'>;
  images: Pick<ImageService, 'deleteMany'>;
  createSchema: ReturnType<typeof createImageSchema>;
  auth: RequestHandler;
  bodyParsers: RequestHandler[];
  maxBatch: number;
}

export function batchRoutes(deps: BatchRoutesDeps): Router {
  const router = Router();

  router.post('/v1/image/batch', deps.auth, ...deps.bodyParsers, async (req, res) => {
    const requests = parseBatchCreate(deps.createSchema, req.body ?? {}, deps.maxBatch);
    const images = await deps.creator.createBatch(res.locals.account as string, requests);
    res.status(200).json({ images });
  });

  router.delete('/v1/image/batch', deps.auth, ...deps.bodyParsers, async (req, res) => {
    const ids = parseBatchDelete(req.body ?? {}, deps.maxBatch);
    await deps.images.deleteMany(res.locals.account as string, ids);
    res.status(202).json({ ids, status: 'deleted' });
  });

  return router;
}
