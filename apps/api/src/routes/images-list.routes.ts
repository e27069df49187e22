// GET /v1/images: the caller's images, newest first, count ≤ 50 per page.
import { Router, type RequestHandler } from 'express';
import { parseListImagesQuery } from '@pixelfarm/schemas';
import type { ImageListService } from '../services/image-list.service';

export interface ImagesListRoutesDeps {
  list: Pick<ImageListService, 'list'>;
  auth: RequestHandler;
}

export function imagesListRoutes(deps: ImagesListRoutesDeps): Router {
  const router = Router();
  router.get('/v1/images', deps.auth, async (req, res) => {
    const { count, page_token } = parseListImagesQuery(req.query as Record<string, unknown>);
    res.status(200).json(await deps.list.list(res.locals.account as string, count, page_token));
  });
  return router;
}
