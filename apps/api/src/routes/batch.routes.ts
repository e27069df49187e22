// /v1/image/batch: create up to IMAGE_BATCH_MAX images in one request, or delete several.
// Listed before the image routes, whose /v1/image/{id} would otherwise take "batch".
import { batchCreateBodySchema, batchDeleteBodySchema, parseBatchCreate, parseBatchDelete, type createImageSchema } from '@pixelfarm/schemas';
import type { ImageCreateService } from '../services/image-create.service';
import type { ImageService } from '../services/image.service';
import type { Route } from '../http/route';
import { sendCredits } from '../http/credit-headers';
import { EXAMPLE_IMAGE_ID, EXAMPLE_SNIPPET, json, ok, responses } from '../docs/route-docs';

export interface BatchRoutesDeps {
  creator: Pick<ImageCreateService, 'createBatch'>;
  images: Pick<ImageService, 'deleteMany'>;
  createSchema: ReturnType<typeof createImageSchema>;
  maxBatch: number;
}

/** Two variations of the snippet card, for the docs' example bodies. */
export const EXAMPLE_VARIATIONS = {
  default_options: { css: EXAMPLE_SNIPPET.css, device_scale: 1 },
  variations: [{ html: '<div class="card">One</div>' }, { html: '<div class="card">Two</div>' }],
};

export function batchRoutes(deps: BatchRoutesDeps): Route[] {
  return [
    {
      id: 'createImageBatch',
      method: 'post',
      path: '/v1/image/batch',
      tag: 'Images',
      summary: `Create up to ${deps.maxBatch} images in one request`,
      description: 'Each variation is merged over default_options and validated as a single create (errors name variations[i]).',
      access: 'basic',
      body: { ...json('BatchCreate', batchCreateBodySchema(deps.createSchema, deps.maxBatch)), forms: true, example: EXAMPLE_VARIATIONS },
      responses: { 200: ok('The images, in the order of variations', 'ImageBatch', responses.imageBatch) },
      handler: async (req, res) => {
        const requests = parseBatchCreate(deps.createSchema, req.body ?? {}, deps.maxBatch);
        const images = await deps.creator.createBatch(res.locals.account as string, requests, { onCredits: sendCredits(res) });
        res.status(200).json({ images });
      },
    },
    {
      id: 'deleteImageBatch',
      method: 'delete',
      path: '/v1/image/batch',
      tag: 'Images',
      summary: 'Delete several images',
      access: 'basic',
      body: { ...json('BatchDelete', batchDeleteBodySchema(deps.maxBatch)), forms: true, example: { ids: [EXAMPLE_IMAGE_ID] } },
      responses: { 202: ok('Deleted', 'ImagesDeleted', responses.imagesDeleted) },
      handler: async (req, res) => {
        const ids = parseBatchDelete(req.body ?? {}, deps.maxBatch);
        await deps.images.deleteMany(res.locals.account as string, ids);
        res.status(202).json({ ids, status: 'deleted' });
      },
    },
  ];
}
