// GET /v1/images: the caller's images, newest first, count ≤ 50 per page.
import { listImagesQuerySchema, parseListImagesQuery } from '@pixelfarm/schemas';
import type { ImageListService } from '../services/image-list.service';
import type { Route } from '../http/route';
import { ok, responses } from '../docs/route-docs';

export interface ImagesListRoutesDeps {
  list: Pick<ImageListService, 'list'>;
}

export function imagesListRoutes(deps: ImagesListRoutesDeps): Route[] {
  return [
    {
      id: 'listImages',
      method: 'get',
      path: '/v1/images',
      tag: 'Account',
      summary: 'List your images, newest first',
      access: 'basic',
      query: listImagesQuerySchema,
      responses: { 200: ok('One page of images', 'ImageListing', responses.imageListing) },
      handler: async (req, res) => {
        const { count, page_token } = parseListImagesQuery(req.query as Record<string, unknown>);
        res.status(200).json(await deps.list.list(res.locals.account as string, count, page_token));
      },
    },
  ];
}
