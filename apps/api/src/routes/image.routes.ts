// /v1/image routes: create (auth), retrieve (public, unguessable ids), delete (auth).
import { Router, type RequestHandler } from 'express';
import { parseCreateImage, parseImagePath, parseVariantQuery, type createImageSchema } from '@pixelfarm/schemas';
import type { ImageService } from '../services/image.service';
import type { PdfService } from '../services/pdf.service';

export interface ImageRoutesDeps {
  images: ImageService;
  pdfs: PdfService;
  createSchema: ReturnType<typeof createImageSchema>;
  auth: RequestHandler;
  bodyParsers: RequestHandler[];
  maxImageDimension: number;
}

export function imageRoutes(deps: ImageRoutesDeps): Router {
  const router = Router();

  router.post('/v1/image', deps.auth, ...deps.bodyParsers, async (req, res) => {
    const request = parseCreateImage(deps.createSchema, req.body ?? {});
    const created = await deps.images.create(res.locals.account as string, request);
    res.status(200).json(created);
  });

  // GET also answers HEAD (Express drops the body for HEAD).
  router.get('/v1/image/:file', async (req, res) => {
    const { id, format } = parseImagePath(String(req.params.file));
    const image =
      format === 'pdf'
        ? await deps.pdfs.get(id)
        : await deps.images.getVariant(id, parseVariantQuery(req.query as Record<string, unknown>, format, deps.maxImageDimension));
    res.set({
      'Content-Type': image.contentType,
      'Content-Length': String(image.data.length),
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: image.etag,
    });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.status(200).end(image.data);
  });

  router.delete('/v1/image/:file', deps.auth, async (req, res) => {
    const { id } = parseImagePath(String(req.params.file));
    await deps.images.delete(res.locals.account as string, id);
    res.status(202).json({ id, status: 'deleted' });
  });

  return router;
}
