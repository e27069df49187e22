// /v1/image routes: create (auth), retrieve (public, unguessable ids), delete (auth).
import { Router, type RequestHandler } from 'express';
import { parseCreateImage, parseImagePath, parsePdfQuery, parseVariantQuery, type createImageSchema } from '@pixelfarm/schemas';
import type { ImageService } from '../services/image.service';
import type { PdfService } from '../services/pdf.service';
import type { VariantService } from '../services/variant.service';
import type { ImageDelivery } from '../http/image-delivery';

export interface ImageRoutesDeps {
  images: ImageService;
  variants: Pick<VariantService, 'locate'>;
  pdfs: Pick<PdfService, 'locate'>;
  deliver: ImageDelivery;
  createSchema: ReturnType<typeof createImageSchema>;
  auth: RequestHandler;
  bodyParsers: RequestHandler[];
  maxImageDimension: number;
}

const FILE_EXT = { png: 'png', jpeg: 'jpg', webp: 'webp', pdf: 'pdf' } as const;

export function imageRoutes(deps: ImageRoutesDeps): Router {
  const router = Router();

  router.post('/v1/image', deps.auth, ...deps.bodyParsers, async (req, res) => {
    const request = parseCreateImage(deps.createSchema, req.body ?? {});
    const created = await deps.images.create(res.locals.account as string, request);
    res.status(200).json(created);
  });

  // GET also answers HEAD (Express routes HEAD to GET handlers; the delivery sends no body).
  router.get('/v1/image/:file', async (req, res) => {
    const { id, format } = parseImagePath(String(req.params.file));
    const query = req.query as Record<string, unknown>;
    const filename = `${id}.${FILE_EXT[format]}`;
    if (format === 'pdf') {
      const { download } = parsePdfQuery(query);
      await deps.deliver(req, res, await deps.pdfs.locate(id), { download, filename });
      return;
    }
    const { variant, download } = parseVariantQuery(query, format, { maxDimension: deps.maxImageDimension });
    await deps.deliver(req, res, await deps.variants.locate(id, variant), { download, filename });
  });

  router.delete('/v1/image/:file', deps.auth, async (req, res) => {
    const { id } = parseImagePath(String(req.params.file));
    await deps.images.delete(res.locals.account as string, id);
    res.status(202).json({ id, status: 'deleted' });
  });

  return router;
}
