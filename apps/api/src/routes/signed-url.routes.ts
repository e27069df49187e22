// Signed URLs: an image rendered by a plain GET, authorised by an HMAC of the query string.
//   /v1/image/create-and-render/:api_id/:token[/:format]?html=…   (any create field)
//   /v1/image/:template_id/:token[/:format]?key=value…            (template values)
// Either may end with render options (width, height, dpi, crop: signed-render-options.ts).
// The image id derives from the content: the first GET renders, later ones are served from
// storage. Serving is left to GET /v1/image/:file with the render options as its query, so
// headers, ETags and variants are the same.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { InvalidTokenError, NotFoundError, UnprocessableError, ValidationError } from '@pixelfarm/errors';
import { isTemplateId, parseCreateImage, parseVariantQuery, splitRenderOptions, UNSUPPORTED_FORMAT_MESSAGE, type CreateImageRequest, type createImageSchema } from '@pixelfarm/schemas';
import type { UrlSignatureVerifier } from '../services/url-signature';
import type { ImageCreateService } from '../services/image-create.service';
import type { TemplateService } from '../services/template.service';
import type { TemplateRenderer } from '../services/template-renderer';
import type { RateLimiter } from '../services/rate-limiter';
import { limitBeforeRender } from '../http/rate-limit.middleware';
import { sendCredits } from '../http/credit-headers';
import type { Route } from '../http/route';
import { EXAMPLE_TOKEN, error, formatParam, imageResponse, json, templatePathParam } from '../docs/route-docs';

export interface SignedUrlRoutesDeps {
  verifier: Pick<UrlSignatureVerifier, 'verifyFor' | 'signers'>;
  creator: Pick<ImageCreateService, 'ensure'>;
  templates: Pick<TemplateService, 'find'>;
  /** The variables a template's source reads: which query keys are its values. */
  variables: Pick<TemplateRenderer, 'variables'>;
  createSchema: ReturnType<typeof createImageSchema>;
  /** The per-key rate limit, when the operator set one. */
  limiter?: Pick<RateLimiter, 'hit' | 'headers'>;
  /** Largest width/height a render option may ask for (as GET /v1/image's). */
  maxImageDimension: number;
}

const FORMAT_PATTERN = /^(png|jpe?g|webp|pdf)$/i;

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
  const limitFor = (account: string, res: Response) => limitBeforeRender(deps.limiter, account, res);

  /**
   * Hands the stored image on to GET /v1/image/{id} (listed after these), as if the client had
   * asked for it with the render options as its query.
   */
  const serve = (req: Request, next: NextFunction, id: string, format: string | undefined, options: Record<string, string>) => {
    const query = new URLSearchParams(options).toString();
    req.url = `/v1/image/${id}${format ? `.${format.toLowerCase()}` : ''}${query ? `?${query}` : ''}`;
    next();
  };

  /** The render options as GET /v1/image checks them, before anything is rendered for a URL that cannot be served. */
  const renderOptions = <T extends string | string[]>(query: Record<string, T>, isValue?: (name: string) => boolean) => {
    const split = splitRenderOptions(query, isValue);
    parseVariantQuery(split.options, 'png', { maxDimension: deps.maxImageDimension });
    return split;
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
        'width, height, dpi and the crop parameters (as GET /v1/image takes them) choose the variant served; they are signed too. ' +
        'A token that does not match is 401 "Invalid token". ' +
        'The image id derives from the content: the first GET renders, later ones are served from storage.',
      access: 'signed',
      pathParams: {
        api_id: { description: 'Your public API id', example: 'my-api-id' },
        token: { description: 'HMAC-SHA256 of the query string, hex', example: EXAMPLE_TOKEN },
        format: formatParam,
      },
      queryObject: { name: 'options', description: 'Any create field as a query parameter', schema: json('CreateImage', deps.createSchema), example: { html: '<b>Hi</b>' } },
      responses: { 200: imageResponse, 401: error('Invalid token'), 422: error('Unsupported format') },
      before: [checkFormat],
      handler: async (req, res, next) => {
        const query = rawQuery(req);
        const account = deps.verifier.verifyFor(String(req.params.api_id), query, String(req.params.token));
        if (!account) throw new InvalidTokenError();
        const { fields, options } = renderOptions(queryFields(query, REPEATED_FIELDS));
        // hcti: "request_overrides is not supported in signed create-and-render query strings".
        if (fields.request_overrides !== undefined) throw new ValidationError('request_overrides is not supported in signed create-and-render URLs: send it with POST /v1/image');
        const request = parseCreateImage(deps.createSchema, fields);
        const image = await deps.creator.ensure(account, request, { beforeRender: limitFor(account, res), onCredits: sendCredits(res) });
        serve(req, next, image.id, req.params.format as string | undefined, options);
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
        'keyed with the API key of the template’s account. width, height, dpi and the crop parameters choose the variant served; ' +
        'one whose name is also a template value’s is sent as __ro_<name> (the plain name is then the value). ' +
        'A token that does not match is 401 "Invalid token".',
      access: 'signed',
      pathParams: { id: templatePathParam, token_or_version: { description: 'HMAC-SHA256 of the query string, hex', example: EXAMPLE_TOKEN }, format: formatParam },
      queryObject: { name: 'values', description: 'Template values (and template_version)', schema: z.record(z.string(), z.string()), example: { title: 'Launch' } },
      responses: { 200: imageResponse, 401: error('Invalid token'), 404: error('No such template for the signing account'), 422: error('Unsupported format') },
      before: [checkFormat],
      handler: (req, res, next) => renderTemplate(req, res, next),
    },
  ];

  async function renderTemplate(req: Request, res: Response, next: NextFunction): Promise<void> {
    const templateId = String(req.params.id);
    if (!isTemplateId(templateId)) return next('route');
    const query = rawQuery(req);
    const signers = deps.verifier.signers(query, String(req.params.token_or_version));
    if (signers.length === 0) throw new InvalidTokenError();
    const fields_ = queryFields(query) as Record<string, string>;
    // Checked before any lookup, so that a malformed version is a 400 whoever signed it.
    const version = fields_.template_version === undefined ? undefined : parseCreateImage(deps.createSchema, { template_id: templateId, template_version: fields_.template_version }).template_version;
    // The template belongs to one of the accounts whose key signed the URL (normally exactly one).
    for (const account of signers) {
      const template = await deps.templates.find(account, templateId, version).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
      if (!template) continue;
      let reads: Set<string> | undefined;
      const isValue = (name: string) => (reads ??= new Set([template.html, template.css ?? ''].flatMap((source) => [...deps.variables.variables(source)]))).has(name);
      const { fields, options } = renderOptions(fields_, isValue);
      const { template_version, ...values } = fields;
      const request: CreateImageRequest = parseCreateImage(deps.createSchema, {
        template_id: templateId,
        ...(template_version !== undefined ? { template_version } : {}),
        template_values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, templateValue(v)])),
      });
      const image = await deps.creator.ensure(account, request, { beforeRender: limitFor(account, res), onCredits: sendCredits(res) });
      return serve(req, next, image.id, req.params.format as string | undefined, options);
    }
    throw new NotFoundError('Template not found');
  }
}
