// /v1/image/batch: create up to IMAGE_BATCH_MAX images in one request (from html and urls, or
// from saved templates at /v1/image/batch/templated), or delete several.
// Listed before the image routes, whose /v1/image/{id} would otherwise take "batch".
import { batchCreateBodySchema, batchDeleteBodySchema, parseBatchCreate, parseBatchDelete, parseTemplatedBatch, templatedBatchBodySchema, type createImageSchema } from '@pixelfarm/schemas';
import type { ImageCreateService } from '../services/image-create.service';
import type { ImageService } from '../services/image.service';
import type { Route } from '../http/route';
import { sendCredits } from '../http/credit-headers';
import { EXAMPLE_IMAGE_ID, EXAMPLE_SNIPPET, EXAMPLE_TEMPLATE_ID, error, json, ok, responses } from '../docs/route-docs';

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
  /** Both batch creates: parse the body into single creates, then create them as one batch. */
  const createBatchFrom =
    (parse: typeof parseBatchCreate): Route['handler'] =>
    async (req, res) => {
      const requests = parse(deps.createSchema, req.body ?? {}, deps.maxBatch);
      const images = await deps.creator.createBatch(res.locals.account as string, requests, { onCredits: sendCredits(res) });
      res.status(200).json({ images });
    };
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
      handler: createBatchFrom(parseBatchCreate),
    },
    {
      id: 'createTemplatedImageBatch',
      method: 'post',
      path: '/v1/image/batch/templated',
      tag: 'Templates',
      summary: `Create up to ${deps.maxBatch} images from saved templates in one request`,
      description:
        'Each variation inherits default_options: template_id, template_version (unless the variation names a template), format, and template_values merged key by key (objects recursively; arrays, scalars and null replace).',
      access: 'basic',
      body: {
        ...json('TemplatedBatchCreate', templatedBatchBodySchema(deps.createSchema, deps.maxBatch)),
        example: { default_options: { template_id: EXAMPLE_TEMPLATE_ID, template_values: { brand: { name: 'Acme', color: '#2563eb' } } }, variations: [{ template_values: { title: 'One' } }, { template_values: { title: 'Two', brand: { color: '#dc2626' } } }] },
      },
      responses: { 200: ok('The images, in the order of variations', 'ImageBatch', responses.imageBatch), 400: error('A variation is invalid or names a template this account does not have (the message names variations[i])') },
      handler: createBatchFrom(parseTemplatedBatch),
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
