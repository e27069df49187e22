// Every route the API serves, one object each: what it does, who may call it, and the zod schemas
// it validates with. The OpenAPI document (and from it /docs) is generated from this list, and
// test/api/openapi.test.ts fails when a route of the Express app is missing here, or the reverse.
import { z } from 'zod';
import {
  batchCreateBodySchema,
  batchDeleteBodySchema,
  batchStatusQuerySchema,
  bulkJobBodySchema,
  listImagesQuerySchema,
  templateBodySchema,
  variantQuerySchema,
  type createImageSchema,
} from '@pixelfarm/schemas';
import type { NamedSchema, OperationDoc, PathParamDoc, ResponseDoc } from './operation-doc';
import * as responses from './response-schemas';

export interface CatalogueOptions {
  /** The create schema built from the configured limits: the docs show this server's limits. */
  createSchema: ReturnType<typeof createImageSchema>;
  maxBatch: number;
  /** Most variations of one bulk job (POST /v1/batches). */
  maxBulk: number;
  maxImageDimension: number;
  /** The queue dashboard is mounted only when admin credentials are configured. */
  adminEnabled: boolean;
}

const IMAGE_ID = '0190f5d2-8a4b-7cc1-b1a2-3f4e5d6c7b8a';
const TEMPLATE_ID = 't-6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b';
const TOKEN = '5d41402abc4b2a76b9719d911017c592ae8c4f3e1b1d5c7e9f0a2b4c6d8e0f1a';

const json = (name: string, schema: z.ZodType): NamedSchema => ({ name, schema });
const ok = (description: string, name: string, schema: z.ZodType): ResponseDoc => ({ description, json: json(name, schema) });
const error = (description: string, headers?: Record<string, string>): ResponseDoc => ({
  description,
  json: json('Error', responses.errorBody),
  ...(headers ? { headers } : {}),
});

const IMAGE_CONTENT = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'];
const imagePathParam: PathParamDoc = {
  description: 'Image id, optionally with an extension: .png (default), .jpg, .jpeg, .webp or .pdf',
  example: `${IMAGE_ID}.png`,
};
const templatePathParam: PathParamDoc = { description: 'Template id (t-<uuid>)', example: TEMPLATE_ID };
const formatParam: PathParamDoc = { description: 'png, jpg, jpeg, webp or pdf', example: 'png' };

export function routeCatalogue(options: CatalogueOptions): OperationDoc[] {
  const create = json('CreateImage', options.createSchema);
  const template = templateBodySchema(options.createSchema);
  const snippet = { html: '<div class="card">Hello, pixelfarm</div>', css: '.card{padding:24px;background:#0b7;color:#fff;font:32px sans-serif}' };

  const operations: OperationDoc[] = [
    // --- Images
    {
      id: 'createImage',
      method: 'post',
      path: '/v1/image',
      tag: 'Images',
      summary: 'Create an image from HTML/CSS or a URL',
      description:
        'Exactly one of html, url or template_id. Returns once the image is rendered and stored, so its url serves it at once. ' +
        'Form bodies send every value as a string ("true", "2"); objects as JSON text. Cross-field rules: viewport_width and ' +
        'viewport_height together; headers need url; width × height × device_scale² within the pixel budget.',
      access: 'basic',
      body: { ...create, forms: true, example: { ...snippet, device_scale: 2 } },
      responses: {
        200: ok('The image is stored; url serves it', 'ImageRef', responses.imageRef),
        // What the code answers (RenderInputError is a 400); this said 422 until issue #19.
        400: error('A field is invalid, or the page cannot be rendered as asked (selector matched nothing, url not loadable, over a limit): message says which'),
        503: error('The render did not start, or did not finish, within RENDER_WAIT_MS', { 'Retry-After': 'Seconds to wait before retrying' }),
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
      query: variantQuerySchema(options.maxImageDimension),
      responses: {
        200: { description: 'The image (its type follows the extension)', contentTypes: IMAGE_CONTENT },
        302: { description: 'SERVE_MODE=redirect: Location is a presigned URL of the stored object' },
        304: { description: 'Not modified (If-None-Match matched the ETag)' },
        404: error('No such image, or it was deleted'),
        422: error('Unsupported extension'),
        503: error('The image is still rendering after IMAGE_WAIT_MS', { 'Retry-After': 'Seconds to wait before retrying' }),
      },
    },
    {
      id: 'deleteImage',
      method: 'delete',
      path: '/v1/image/{id}',
      tag: 'Images',
      summary: 'Delete an image and every stored variant',
      access: 'basic',
      pathParams: { id: { ...imagePathParam, example: IMAGE_ID } },
      responses: { 202: ok('Deleted; later GETs are 404', 'ImageDeleted', responses.imageDeleted), 404: error('No such image in this account') },
    },
    {
      id: 'createImageBatch',
      method: 'post',
      path: '/v1/image/batch',
      tag: 'Images',
      summary: `Create up to ${options.maxBatch} images in one request`,
      description: 'Each variation is merged over default_options and validated as a single create (errors name variations[i]).',
      access: 'basic',
      body: {
        ...json('BatchCreate', batchCreateBodySchema(options.createSchema, options.maxBatch)),
        forms: true,
        example: { default_options: { css: snippet.css, device_scale: 1 }, variations: [{ html: '<div class="card">One</div>' }, { html: '<div class="card">Two</div>' }] },
      },
      responses: { 200: ok('The images, in the order of variations', 'ImageBatch', responses.imageBatch) },
    },
    {
      id: 'deleteImageBatch',
      method: 'delete',
      path: '/v1/image/batch',
      tag: 'Images',
      summary: 'Delete several images',
      access: 'basic',
      body: { ...json('BatchDelete', batchDeleteBodySchema(options.maxBatch)), forms: true, example: { ids: [IMAGE_ID] } },
      responses: { 202: ok('Deleted', 'ImagesDeleted', responses.imagesDeleted) },
    },
    {
      id: 'createBulkJob',
      method: 'post',
      path: '/v1/batches',
      tag: 'Images',
      summary: 'Queue a bulk job of many images, answered at once',
      description:
        'Every variation is checked first (a bad one is a 400 naming its index, and nothing is queued); the renders then run in ' +
        'the low-priority lane. callback_url receives {batch_id, total, done, failed, status_url} when all are finished, signed ' +
        'as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature with your webhook secret) and with the legacy ' +
        'X-Signature: sha256=<HMAC of the body with your API key>.',
      access: 'basic',
      body: {
        ...json('BulkJob', bulkJobBodySchema(options.createSchema, options.maxBulk)),
        forms: true,
        example: { default_options: { css: snippet.css, device_scale: 1 }, variations: [{ html: '<div class="card">One</div>' }, { html: '<div class="card">Two</div>' }] },
      },
      responses: {
        202: ok('Accepted; poll status_url', 'BulkJobAccepted', responses.bulkJobAccepted),
        429: error('The bulk lane is full', { 'Retry-After': 'Seconds to wait before retrying' }),
      },
    },
    {
      id: 'getBulkJob',
      method: 'get',
      path: '/v1/batches/{id}',
      tag: 'Images',
      summary: 'Progress and results of a bulk job, a page of images at a time',
      access: 'basic',
      pathParams: { id: { description: 'batch_id returned by POST /v1/batches (b-<uuid>)', example: `b-${IMAGE_ID}` } },
      query: batchStatusQuerySchema,
      responses: { 200: ok('Counts and a page of images, in order', 'BulkJobStatus', responses.bulkJobStatus), 404: error('No such bulk job in this account') },
    },
    // --- Account
    {
      id: 'listImages',
      method: 'get',
      path: '/v1/images',
      tag: 'Account',
      summary: 'List your images, newest first',
      access: 'basic',
      query: listImagesQuerySchema,
      responses: { 200: ok('One page of images', 'ImageListing', responses.imageListing) },
    },
    {
      id: 'getUsage',
      method: 'get',
      path: '/v1/usage',
      tag: 'Account',
      summary: 'Images rendered per hour, day and month',
      access: 'basic',
      responses: { 200: ok('Usage counters', 'UsageReport', responses.usageReport) },
    },
    // --- Templates
    {
      id: 'createTemplate',
      method: 'post',
      path: '/v1/template',
      tag: 'Templates',
      summary: 'Create a template (Handlebars html, css and default render options)',
      access: 'basic',
      body: { ...json('TemplateBody', template), forms: true, example: { html: '<div class="card">{{title}}</div>', css: snippet.css, name: 'card' } },
      responses: { 201: ok('The template and its first version', 'TemplateRef', responses.templateRef) },
    },
    {
      id: 'editTemplate',
      method: 'post',
      path: '/v1/template/{template_id}',
      tag: 'Templates',
      summary: 'Save a new version of a template',
      description: 'Fields not sent keep their value from the latest version.',
      access: 'basic',
      pathParams: { template_id: templatePathParam },
      body: { ...json('TemplateEdit', template.partial()), forms: true, example: { html: '<div class="card">{{title}}!</div>' } },
      responses: { 201: ok('The new version', 'TemplateRef', responses.templateRef), 404: error('No such template in this account') },
    },
    {
      id: 'listTemplates',
      method: 'get',
      path: '/v1/templates',
      tag: 'Templates',
      summary: 'List your templates (latest version of each)',
      access: 'basic',
      responses: { 200: ok('Templates, most recently edited first', 'TemplateListing', responses.templateListing) },
    },
    {
      id: 'listTemplatesHostedPath',
      method: 'get',
      path: '/v1/template',
      tag: 'Templates',
      summary: 'List your templates (the hosted API’s path for GET /v1/templates)',
      access: 'basic',
      responses: { 200: ok('Templates, most recently edited first', 'TemplateListing', responses.templateListing) },
    },
    {
      id: 'getTemplateVersions',
      method: 'get',
      path: '/v1/template/{template_id}',
      tag: 'Templates',
      summary: 'Every version of a template, newest first',
      access: 'basic',
      pathParams: { template_id: templatePathParam },
      responses: { 200: ok('The versions', 'TemplateListing', responses.templateListing), 404: error('No such template in this account') },
    },
    {
      id: 'createImageFromTemplate',
      method: 'post',
      path: '/v1/image/{id}[/{token_or_version}]',
      tag: 'Templates',
      summary: 'Render a template (the hosted API’s shorthand for POST /v1/image with template_id)',
      description: 'The body holds template_values and any create option. The second segment, when present, is the template version.',
      access: 'basic',
      pathParams: { id: templatePathParam, token_or_version: { description: 'Template version (ms timestamp); default the latest', example: '1718000000000' } },
      body: { ...create, forms: true, example: { template_values: { title: 'Launch day' } } },
      responses: { 200: ok('The image is stored; url serves it', 'ImageRef', responses.imageRef), 404: error('No such template in this account') },
    },
    // --- Signed URLs
    {
      id: 'createAndRenderSigned',
      method: 'get',
      path: '/v1/image/create-and-render/{api_id}/{token}[/{format}]',
      tag: 'Signed URLs',
      summary: 'Render on GET from create fields in the query string',
      description:
        'token is the lowercase hex HMAC-SHA256 of the query string exactly as sent (without "?"), keyed with the API key of api_id. ' +
        'The image id derives from the content: the first GET renders, later ones are served from storage.',
      access: 'signed',
      pathParams: { api_id: { description: 'Your public API id', example: 'my-api-id' }, token: { description: 'HMAC-SHA256 of the query string, hex', example: TOKEN }, format: formatParam },
      queryObject: { name: 'options', description: 'Any create field as a query parameter', schema: create, example: { html: '<b>Hi</b>' } },
      responses: { 200: { description: 'The image (its type follows the extension)', contentTypes: IMAGE_CONTENT }, 422: error('Unsupported format') },
    },
    {
      id: 'renderTemplateSigned',
      method: 'get',
      path: '/v1/image/{id}/{token_or_version}[/{format}]',
      tag: 'Signed URLs',
      summary: 'Render a template on GET from values in the query string',
      description:
        'Keys sorted, object values JSON-encoded; template_version optional. token is the HMAC-SHA256 (hex) of the query string, ' +
        'keyed with the API key of the template’s account.',
      access: 'signed',
      pathParams: { id: templatePathParam, token_or_version: { description: 'HMAC-SHA256 of the query string, hex', example: TOKEN }, format: formatParam },
      queryObject: { name: 'values', description: 'Template values (and template_version)', schema: z.record(z.string(), z.string()), example: { title: 'Launch' } },
      responses: { 200: { description: 'The image (its type follows the extension)', contentTypes: IMAGE_CONTENT }, 404: error('No such template for the signing account'), 422: error('Unsupported format') },
    },
    // --- Operations
    {
      id: 'liveness',
      method: 'get',
      path: '/healthz',
      tag: 'Operations',
      summary: 'Liveness: the process is up',
      access: 'public',
      responses: { 200: ok('Up', 'Health', responses.health) },
    },
    {
      id: 'readiness',
      method: 'get',
      path: '/readyz',
      tag: 'Operations',
      summary: 'Readiness: Redis and storage answer',
      access: 'public',
      responses: { 200: ok('Ready', 'Readiness', responses.readiness), 503: ok('Not ready: checks names what is down', 'Readiness', responses.readiness) },
    },
    {
      id: 'metrics',
      method: 'get',
      path: '/metrics',
      tag: 'Operations',
      summary: 'Prometheus metrics',
      access: 'public',
      responses: { 200: { description: 'Prometheus text exposition format', contentTypes: ['text/plain'] } },
    },
    // --- Documentation
    {
      id: 'openapiDocument',
      method: 'get',
      path: '/openapi.json',
      tag: 'Documentation',
      summary: 'This OpenAPI 3.1 document',
      access: 'public',
      responses: { 200: { description: 'OpenAPI 3.1 document', contentTypes: ['application/json'] } },
    },
    {
      id: 'docsPage',
      method: 'get',
      path: '/docs',
      tag: 'Documentation',
      summary: 'Readable API reference (HTML)',
      access: 'public',
      responses: { 200: { description: 'HTML page', contentTypes: ['text/html'] } },
    },
    {
      id: 'playground',
      method: 'get',
      path: '/',
      tag: 'Documentation',
      summary: 'Playground: edit HTML/CSS and render it',
      access: 'public',
      responses: { 200: { description: 'HTML page', contentTypes: ['text/html'] } },
    },
  ];

  if (options.adminEnabled) {
    operations.push({
      id: 'queueDashboard',
      method: 'get',
      path: '/admin/queues',
      tag: 'Operations',
      summary: 'Queue dashboard (Bull Board) and the routes under it',
      access: 'admin',
      responses: { 200: { description: 'HTML page', contentTypes: ['text/html'] } },
    });
  }
  return operations;
}
