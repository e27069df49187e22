// PUT /v1/store: render if needed and store an image into its storage destination (hcti's
// storage destinations guide), answering a StoreImageResult; 200 complete, 424 partial or failed.
import { isOriginalVariant, parseImagePath, parsePdfQuery, parseVariantQuery, variantQuerySchema } from '@pixelfarm/schemas';
import type { StoreService, StoreTarget } from '../services/store.service';
import type { Route } from '../http/route';
import { requestIdOf } from '../http/access-log.middleware';
import { error, imagePathParam, ok, responses } from '../docs/route-docs';

export interface StoreRoutesDeps {
  store: Pick<StoreService, 'store'>;
  maxImageDimension: number;
}

export function storeRoutes(deps: StoreRoutesDeps): Route[] {
  return [
    {
      id: 'storeImage',
      method: 'put',
      path: '/v1/store/{id}',
      tag: 'Storage destinations',
      summary: "Render if needed and store an image into its storage destination",
      description:
        "The url a create answers for an image whose destination keeps no copy here. Stores the base object (<prefix>/<id>.png, or " +
        '<prefix>/<id>.pdf for an image created with pdf_options) and, when the path or query asks for one (.jpg, .webp, width, ' +
        'height, dpi, crop), a variant under <prefix>/<id>_<variant>.<ext>, made from the original (read back from the bucket when ' +
        'no copy is kept here). Objects already stored are not written again. The image is never returned. An image without a ' +
        "destination answers hcti_storage: it is in this service's storage.",
      access: 'basic',
      pathParams: { id: imagePathParam },
      query: variantQuerySchema(deps.maxImageDimension),
      responses: {
        200: ok('complete: every object is stored or was already stored', 'StoreImageResult', responses.storeImageResult),
        400: error('A parameter is invalid, or the image cannot be rendered as its request asks'),
        404: error('No such image in this account'),
        422: error('The extension does not fit the image, or the original could not be read back from the destination to make a variant'),
        424: ok('partial (the base is stored, the variant failed) or failed (the base could not be stored); message says why', 'StoreImageResult', responses.storeImageResult),
        503: error('The image is still rendering after IMAGE_WAIT_MS, or a render again did not finish within RENDER_WAIT_MS', { 'Retry-After': 'Seconds to wait before retrying' }),
      },
      handler: async (req, res) => {
        const { id, format } = parseImagePath(String(req.params.id));
        const query = req.query as Record<string, unknown>;
        let target: StoreTarget;
        if (format === 'pdf') {
          parsePdfQuery(query);
          target = { kind: 'base', pdf: true };
        } else {
          const { variant } = parseVariantQuery(query, format, { maxDimension: deps.maxImageDimension });
          target = isOriginalVariant(variant) ? { kind: 'base', pdf: false } : { kind: 'variant', variant };
        }
        const result = await deps.store.store(res.locals.account as string, id, target, requestIdOf(req));
        res.status(result.statusCode).json(result);
      },
    },
  ];
}
