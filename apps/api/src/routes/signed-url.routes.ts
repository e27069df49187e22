// Signed URLs: an image rendered by a plain GET, authorised by an HMAC of the query string.
//   /v1/image/create-and-render/:api_id/:token[/:format]?html=…   (any create field)
//   /v1/image/:template_id/:token[/:format]?key=value…            (template values)
// The image id derives from the content: the first GET renders, later ones are served from
// storage. Serving is left to GET /v1/image/:file, so headers, ETags and variants are the same.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from '@pixelfarm/errors';
import { isTemplateId, parseCreateImage, UNSUPPORTED_FORMAT_MESSAGE, type CreateImageRequest, type createImageSchema } from '@pixelfarm/schemas';
import type { UrlSignatureVerifier } from '../services/url-signature';
import type { ImageCreateService } from '../services/image-create.service';
import type { TemplateService } from '../services/template.service';
import type { RateLimiter } from '../services/rate-limiter';
import { applyRateLimit } from '../http/rate-limit.middleware';
import type { Route } from '../http/route';
import { EXAMPLE_TOKEN, error, formatParam, imageResponse, json, templatePathParam } from '../docs/route-docs';

export interface SignedUrlRoutesDeps {
  verifier: Pick<UrlSignatureVerifier, 'verifyFor' | 'signers'>;
  creator: Pick<ImageCreateService, 'ensure'>;
  templates: Pick<TemplateService, 'find'>;
  createSchema: ReturnType<typeof createImageSchema>;
  limiter: Pick<RateLimiter, 'hit' | 'headers'>;
}

const FORMAT_PATTERN = /^(png|jpe?g|webp|pdf)$/i;
const BAD_TOKEN = 'The token does not match this URL: sign the query string with your API key';

/** The query string exactly as the client sent it (what was signed), without the "?". */
function rawQuery(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at === -1 ? '' : req.originalUrl.slice(at + 1);
}

/** The create fields hcti repeats in a query, once per entry (parameters/headers.md). */
const REPEATED_FIELDS = ['headers', 'additional_header_origins'];

/**
 * Query parameters as one value each: another repeated key would make the signed content
 * ambiguous. headers and additional_header_origins repeat, in order (headers=Name:value).
 */
function queryFields(raw: string, repeatable: readonly string[] = []): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (repeatable.includes(key)) {
      fields[key] = [...((fields[key] as string[] | undefined) ?? []), value];
      continue;
    }
    if (Object.hasOwn(fields, key)) throw new ValidationError(`${key} appears more than once in the query string`);
    fields[key] = value;
  }
  return fields;
}

/** Template values arrive JSON-encoded ("%22Launch%22", objects as JSON); plain text is kept as is. */
function templateValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function signedUrlRoutes(deps: SignedUrlRoutesDeps): Route[] {
  // Renders count against the signer's rate limit (images already stored are served freely).
  const limitFor = (account: string, res: Response) => () => applyRateLimit(deps.limiter, account, res);

  /** Hands the stored image on to GET /v1/image/{id} (listed after these), as if the client had asked for it. */
  const serve = (req: Request, next: NextFunction, id: string, format: string | undefined) => {
    req.url = `/v1/image/${id}${format ? `.${format.toLowerCase()}` : ''}`;
    next();
  };

  const checkFormat: RequestHandler = (req, _res, next) => {
    const format = req.params.format;
    next(format === undefined || FORMAT_PATTERN.test(String(format)) ? undefined : new UnprocessableError(UNSUPPORTED_FORMAT_MESSAGE));
  };

  return [
    {
      id: 'createAndRenderSigned',
      method: 'get',
      path: '/v1/image/create-and-render/{api_id}/{token}[/{format}]',
      tag: 'Signed URLs',
      summary: 'Render on GET from create fields in the query string',
      description:
        'token is the lowercase hex HMAC-SHA256 of the query string exactly as sent (without "?"), keyed with the API key of api_id. ' +
        'headers and additional_header_origins repeat (headers=Name:value), in the signed order. ' +
        'The image id derives from the content: the first GET renders, later ones are served from storage.',
      access: 'signed',
      pathParams: {
        api_id: { description: 'Your public API id', example: 'my-api-id' },
        token: { description: 'HMAC-SHA256 of the query string, hex', example: EXAMPLE_TOKEN },
        format: formatParam,
      },
      queryObject: { name: 'options', description: 'Any create field as a query parameter', schema: json('CreateImage', deps.createSchema), example: { html: '<b>Hi</b>' } },
      responses: { 200: imageResponse, 422: error('Unsupported format') },
      before: [checkFormat],
      handler: async (req, res, next) => {
        const query = rawQuery(req);
        const account = deps.verifier.verifyFor(String(req.params.api_id), query, String(req.params.token));
        if (!account) throw new ForbiddenError(BAD_TOKEN);
        const request = parseCreateImage(deps.createSchema, queryFields(query, REPEATED_FIELDS));
        const image = await deps.creator.ensure(account, request, limitFor(account, res));
        serve(req, next, image.id, req.params.format as string | undefined);
      },
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
      pathParams: { id: templatePathParam, token_or_version: { description: 'HMAC-SHA256 of the query string, hex', example: EXAMPLE_TOKEN }, format: formatParam },
      queryObject: { name: 'values', description: 'Template values (and template_version)', schema: z.record(z.string(), z.string()), example: { title: 'Launch' } },
      responses: { 200: imageResponse, 404: error('No such template for the signing account'), 422: error('Unsupported format') },
      before: [checkFormat],
      handler: (req, res, next) => renderTemplate(req, res, next),
    },
  ];

  async function renderTemplate(req: Request, res: Response, next: NextFunction): Promise<void> {
    const templateId = String(req.params.id);
    if (!isTemplateId(templateId)) return next('route');
    const query = rawQuery(req);
    const signers = deps.verifier.signers(query, String(req.params.token_or_version));
    if (signers.length === 0) throw new ForbiddenError(BAD_TOKEN);
    const { template_version, ...values } = queryFields(query) as Record<string, string>;
    const request: CreateImageRequest = parseCreateImage(deps.createSchema, {
      template_id: templateId,
      ...(template_version !== undefined ? { template_version } : {}),
      template_values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, templateValue(v)])),
    });
    // The template belongs to one of the accounts whose key signed the URL (normally exactly one).
    for (const account of signers) {
      const owns = await deps.templates.find(account, templateId, request.template_version).then(
        () => true,
        (err: unknown) => {
          if (err instanceof NotFoundError) return false;
          throw err;
        },
      );
      if (!owns) continue;
      const image = await deps.creator.ensure(account, request, limitFor(account, res));
      return serve(req, next, image.id, req.params.format as string | undefined);
    }
    throw new NotFoundError('Template not found');
  }
}
