// /v1/image routes: create (auth), retrieve (public, unguessable ids), delete (auth); each
// route's documentation next to its handler.
import { parseCreateImage, parseImagePath, parsePdfQuery, parseVariantQuery, variantQuerySchema, type createImageSchema } from '@pixelfarm/schemas';
import type { ImageService } from '../services/image.service';
import type { PdfService } from '../services/pdf.service';
import type { VariantService } from '../services/variant.service';
import type { ImageDelivery } from '../http/image-delivery';
import { sendCredits } from '../http/credit-headers';
import type { Route } from '../http/route';
import { EXAMPLE_IMAGE_ID, EXAMPLE_SNIPPET, error, imagePathParam, imageResponse, json, ok, responses } from '../docs/route-docs';

export interface ImageRoutesDeps {
  images: ImageService;
  variants: Pick<VariantService, 'locate'>;
  pdfs: Pick<PdfService, 'locate'>;
  deliver: ImageDelivery;
  createSchema: ReturnType<typeof createImageSchema>;
  maxImageDimension: number;
}

const FILE_EXT = { png: 'png', jpeg: 'jpg', webp: 'webp', pdf: 'pdf' } as const;

export function imageRoutes(deps: ImageRoutesDeps): Route[] {
  return [
    {
      id: 'createImage',
      method: 'post',
      path: '/v1/image',
      tag: 'Images',
      summary: 'Create an image from HTML/CSS or a URL',
      description:
        'Exactly one of html, url or template_id. Returns once the image is rendered and stored, so its url serves it at once. ' +
        'Form bodies send every value as a string ("true", "2"); objects as JSON text; headers and additional_header_origins ' +
        'repeat (headers=Name:value). Cross-field rules: viewport_width and viewport_height together; headers, identify_as_hcti ' +
        'need url; jumbo_max_width and jumbo_max_height together, not with pdf_options; width × height × device_scale² within ' +
        'the pixel budget.',
      access: 'basic',
      body: { ...json('CreateImage', deps.createSchema), forms: true, example: { ...EXAMPLE_SNIPPET, device_scale: 2 } },
      responses: {
        200: ok('The image is stored; url serves it', 'ImageRef', responses.imageRef),
        // RenderInputError is a 400, as the error handler maps it: the request cannot be rendered as asked.
        400: error('A field is invalid, or the page cannot be rendered as asked (selector matched nothing, url not loadable, over a limit): message says which'),
        503: error('The render did not start, or did not finish, within RENDER_WAIT_MS', { 'Retry-After': 'Seconds to wait before retrying' }),
      },
      handler: async (req, res) => {
        const request = parseCreateImage(deps.createSchema, req.body ?? {});
        const created = await deps.images.create(res.locals.account as string, request, { onCredits: sendCredits(res) });
        res.status(200).json(created);
      },
    },
    {
      id: 'getImage',
      method: 'get',
      path: '/v1/image/{id}',
      tag: 'Images',
      summary: 'Retrieve an image (any format, resized)',
      description:
        'No auth: image ids are unguessable. HEAD works too. Served with ETag and a one-year immutable Cache-Control; ' +
        'If-None-Match gives 304. The first request for a variant produces and stores it (once, however many ask at the same ' +
        'time); the crop is applied before the resize. An image still rendering is waited for.',
      access: 'public',
      pathParams: { id: imagePathParam },
      query: variantQuerySchema(deps.maxImageDimension),
      responses: {
        200: imageResponse,
        302: { description: 'SERVE_MODE=redirect: Location is a presigned URL of the stored object' },
        304: { description: 'Not modified (If-None-Match matched the ETag)' },
        404: error('No such image, or it was deleted'),
        422: error('Unsupported extension, or the .pdf of an image created with max_render_once without one'),
        503: error('The image is still rendering after IMAGE_WAIT_MS', { 'Retry-After': 'Seconds to wait before retrying' }),
      },
      // GET also answers HEAD (Express routes HEAD to GET handlers; the delivery sends no body).
      handler: async (req, res) => {
        const { id, format } = parseImagePath(String(req.params.id));
        const query = req.query as Record<string, unknown>;
        const filename = `${id}.${FILE_EXT[format]}`;
        if (format === 'pdf') {
          const { download } = parsePdfQuery(query);
          await deps.deliver(req, res, await deps.pdfs.locate(id), { download, filename });
          return;
        }
        const { variant, download } = parseVariantQuery(query, format, { maxDimension: deps.maxImageDimension });
        await deps.deliver(req, res, await deps.variants.locate(id, variant), { download, filename });
      },
    },
    {
      id: 'deleteImage',
      method: 'delete',
      path: '/v1/image/{id}',
      tag: 'Images',
      summary: 'Delete an image and every stored variant',
      access: 'basic',
      pathParams: { id: { ...imagePathParam, example: EXAMPLE_IMAGE_ID } },
      responses: { 202: ok('Deleted; later GETs are 404', 'ImageDeleted', responses.imageDeleted), 404: error('No such image in this account') },
      handler: async (req, res) => {
        const { id } = parseImagePath(String(req.params.id));
        await deps.images.delete(res.locals.account as string, id);
        res.status(202).json({ id, status: 'deleted' });
      },
    },
  ];
}
