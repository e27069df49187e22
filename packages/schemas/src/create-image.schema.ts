// The POST /v1/image body: one schema is the validator, the TypeScript type and (later) the docs.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { formBool, formNumber, formObject, text, withoutNulls } from './fields';
import { TEMPLATE_ID_PATTERN } from './template-id';
import { isAccountProxyId } from './proxy-id';
import { headerOriginsField, headersField } from './request-headers.schema';
import { requestOverridesField } from './request-overrides.schema';

export interface CreateLimits {
  maxHtmlChars: number;
  maxViewportWidth: number;
  maxViewportHeight: number;
  /** Pixel budget: viewport width × height × device_scale². */
  maxRenderPixels: number;
  /** Largest PDF page side in inches (PDF_MAX_PAGE_INCHES). */
  maxPdfPageInches: number;
  /** Largest jumbo_max_width/jumbo_max_height and their product (the renderer's JUMBO_MAX_*). */
  jumbo: Pick<JumboLimits, 'maxSide' | 'maxPixels'>;
  /** The proxy_id values the operator configured (PROXIES). */
  proxyIds: readonly string[];
}

export interface JumboLimits {
  /** Largest jumbo_max_width / jumbo_max_height. hcti: 80,000. */
  maxSide: number;
  /** Largest jumbo_max_width × jumbo_max_height. hcti: 400,000,000. */
  maxPixels: number;
  /** One side must exceed this (anything smaller fits one capture). hcti: 8,000, its tile size. */
  minLongSide: number;
}

/**
 * A jumbo request's long side must exceed hcti's tile size (htmlcsstoimage/docs
 * guides/advanced/jumbo-images.md, "Limits"): anything smaller fits one capture. Part of the
 * contract, not a setting.
 */
const JUMBO_MIN_LONG_SIDE = 8_000;

/** The page printed when pdf_options leave a side out (or give 0): US Letter. */
export const PDF_DEFAULT_PAGE = { width: '8.5in', height: '11in' } as const;
/** A PDF length as a string: a number and its unit. */
const PDF_LENGTH = /^(\d+(?:\.\d+)?)(px|in|cm|mm|pt)$/;
// As Playwright converts them when it prints (37.8 px to the cm, not 96 / 2.54); a point is 1/72 in.
const INCHES_PER: Record<string, number> = { px: 1 / 96, in: 1, cm: 37.8 / 96, mm: 3.78 / 96, pt: 1 / 72 };

/**
 * A pdf_options length as the browser's print engine takes it: a bare number is CSS pixels, and
 * points (which it does not know) are given in inches. Other units pass unchanged.
 */
export function printLength(length: string | number | undefined): string | undefined {
  if (typeof length === 'number') return `${length}px`;
  const match = typeof length === 'string' ? PDF_LENGTH.exec(length) : null;
  return match && match[2] === 'pt' ? `${Number(match[1]) / 72}in` : length;
}

/** A pdfLength in inches (a bare number is CSS pixels, as the renderer prints it); NaN if it is not one. */
function inches(length: unknown): number {
  if (typeof length === 'number') return length / 96;
  const match = typeof length === 'string' ? PDF_LENGTH.exec(length) : null;
  return match ? Number(match[1]) * INCHES_PER[match[2]!]! : NaN;
}

/** hcti accepts both spellings of JPEG; the returned url keeps the one sent. */
export const IMAGE_FORMATS = ['png', 'jpg', 'jpeg', 'webp', 'pdf'] as const;

/** hcti's largest ms_delay (parameters/ms_delay.md: "Maximum allowed value is 20,000ms"). */
export const MAX_MS_DELAY = 20_000;

/** Longest dedupe window a create may ask for: one year. */
export const MAX_DEDUPE_S = 366 * 24 * 3600;

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A PDF length: a number of CSS pixels, or a string with px, in, cm, mm or pt. */
const pdfLength = (field: string) =>
  z.union([
    z.number().min(0).max(100_000),
    z.string().regex(PDF_LENGTH, `${field} must be a number with px, in, cm, mm or pt, such as "8.5in"`),
  ], { error: `${field} must be a number with px, in, cm, mm or pt, such as "8.5in"` });

/**
 * An http(s) URL the service POSTs a signed notification to. Only the syntax is checked here:
 * whether the address may be reached is decided when the callback is delivered, with the same
 * private-network rules as page loads.
 */
export const callbackUrl = (field: string) =>
  z
    .url({ protocol: /^https?$/, error: `${field} must be an http or https URL` })
    .max(2048, `${field} is longer than 2048 characters`);

/** `Open+Sans` (as the official client sends it) is `Open Sans`. */
const GOOGLE_FONTS = /^[A-Za-z0-9 +]+(:[0-9,;@.a-z]+)?(\|[A-Za-z0-9 +]+(:[0-9,;@.a-z]+)?)*$/;

export function createImageSchema(limits: CreateLimits) {
  const jumbo: JumboLimits = { ...limits.jumbo, minLongSide: JUMBO_MIN_LONG_SIDE };
  const proxyIds = limits.proxyIds;
  return z
    .strictObject(
      {
        html: text('html', limits.maxHtmlChars).optional(),
        url: z
          .url({ protocol: /^https?$/, error: 'url must be an http or https URL' })
          .max(8192, 'url is longer than 8192 characters')
          .optional(),
        css: text('css', limits.maxHtmlChars).optional(),
        google_fonts: text('google_fonts', 1024)
          .regex(GOOGLE_FONTS, 'google_fonts must look like "Roboto" or "Open Sans|Roboto:400,700"')
          .transform((v) => v.replace(/\+/g, ' '))
          .optional(),
        selector: text('selector', 1024).min(1, 'selector must not be empty').optional(),
        ms_delay: formNumber('ms_delay', 0, MAX_MS_DELAY, { int: true }).optional(),
        max_wait_ms: formNumber('max_wait_ms', 500, 10_000, { int: true }).optional(),
        render_when_ready: formBool('render_when_ready').optional(),
        device_scale: formNumber('device_scale', 0.1, 3).optional(),
        viewport_width: formNumber('viewport_width', 1, limits.maxViewportWidth, { int: true }).optional(),
        viewport_height: formNumber('viewport_height', 1, limits.maxViewportHeight, { int: true }).optional(),
        viewport_mobile: formBool('viewport_mobile').optional(),
        viewport_landscape: formBool('viewport_landscape').optional(),
        viewport_touch: formBool('viewport_touch').optional(),
        full_screen: formBool('full_screen').optional(),
        color_scheme: z.enum(['light', 'dark'], { error: 'color_scheme must be light or dark' }).optional(),
        media_type: z.enum(['screen', 'print'], { error: 'media_type must be screen or print' }).optional(),
        timezone: text('timezone', 64)
          .refine(isValidTimeZone, 'timezone must be an IANA time zone name such as Europe/Paris')
          .optional(),
        transparent_background: formBool('transparent_background').optional(),
        disable_twemoji: formBool('disable_twemoji').optional(),
        block_consent_banners: formBool('block_consent_banners').optional(),
        metadata: formObject(
          'metadata',
          z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]), {
            error: 'metadata must be an object of strings, numbers or booleans',
          }),
        ).optional(),
        format: z.enum(IMAGE_FORMATS, { error: 'format must be png, jpg, jpeg, webp or pdf' }).optional(),
        pdf_options: formObject(
          'pdf_options',
          z.preprocess(withoutNulls, z.strictObject(
            {
              page_width: pdfLength('pdf_options.page_width').optional(),
              page_height: pdfLength('pdf_options.page_height').optional(),
              scale: formNumber('pdf_options.scale', 0.1, 2).optional(),
              margins: z
                .array(pdfLength('pdf_options.margins'), { error: 'pdf_options.margins must be [top, right, bottom, left]' })
                .length(4, 'pdf_options.margins must be [top, right, bottom, left]')
                .optional(),
              print_background: formBool('pdf_options.print_background').optional(),
            },
            { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: pdf_options.${iss.keys.join(', ')}` : 'pdf_options must be an object') },
          )),
        ).optional(),
        headers: headersField.optional(),
        additional_header_origins: headerOriginsField.optional(),
        include_headers_on_subrequests: formBool('include_headers_on_subrequests').optional(),
        identify_as_hcti: formBool('identify_as_hcti').optional(),
        /** Browser requests to block while the page renders (html, url and templates alike). */
        request_overrides: requestOverridesField().optional(),
        jumbo_max_width: formNumber('jumbo_max_width', 1, jumbo.maxSide, { int: true }).optional(),
        jumbo_max_height: formNumber('jumbo_max_height', 1, jumbo.maxSide, { int: true }).optional(),
        // An account's own proxy (px-<uuid>, /v1/proxies) is checked against the account when
        // the create is resolved; an operator's (PROXIES) here.
        proxy_id: text('proxy_id', 64)
          .refine((id) => proxyIds.includes(id) || isAccountProxyId(id), {
            error: (iss) => `proxy_id ${JSON.stringify(String(iss.input).slice(0, 64))} is neither one of your proxies nor a proxy configured on this service`,
          })
          .optional(),
        // Templates: the API renders them into html before the request is queued.
        template_id: text('template_id', 64).regex(TEMPLATE_ID_PATTERN, 'template_id must look like t-<uuid>').optional(),
        template_version: formNumber('template_version', 0, Number.MAX_SAFE_INTEGER, { int: true }).optional(),
        template_values: formObject(
          'template_values',
          z.record(z.string(), z.unknown(), { error: 'template_values must be an object of values for the template' }),
        ).optional(),
        /** Seconds within which an identical create returns the existing image; 0 disables. */
        dedupe_duration_s: formNumber('dedupe_duration_s', 0, MAX_DEDUPE_S, { int: true }).optional(),
        max_render_once: formBool('max_render_once').optional(),
        /** Where the outcome is POSTed once the render is stored or has failed for good. */
        callback_url: callbackUrl('callback_url').optional(),
        // Whether the account has such an enabled destination is checked when the create is
        // resolved (hcti guides/advanced/storage-destinations), not here.
        storage_destination_id: text('storage_destination_id', 64)
          .regex(/^[A-Za-z0-9_-]+$/, 'storage_destination_id must be the id of one of your storage destinations')
          .optional(),
      },
      { error: (iss) => (iss.code === 'unrecognized_keys' ? `Unknown field: ${iss.keys.join(', ')}` : undefined) },
    )
    .superRefine((v, ctx) => {
      // hcti: headers and identify_as_hcti are for url screenshots and "not used when rendering
      // HTML/CSS or templates": there they are dropped (parseCreateImage), so only a url's are checked.
      if (v.url !== undefined) {
        if (v.additional_header_origins !== undefined && v.headers === undefined) {
          ctx.addIssue({ code: 'custom', message: 'additional_header_origins needs headers: it lists other origins that also receive them', path: ['additional_header_origins'] });
        }
        if (v.include_headers_on_subrequests && v.headers === undefined) {
          ctx.addIssue({ code: 'custom', message: 'include_headers_on_subrequests needs headers: it sends them with subrequests too', path: ['include_headers_on_subrequests'] });
        }
      }
      jumboIssues(v, jumbo).forEach((message) => ctx.addIssue({ code: 'custom', message, path: ['jumbo_max_width'] }));
      if (v.html === undefined && v.url === undefined && v.template_id === undefined) {
        ctx.addIssue({ code: 'custom', message: 'HTML is Required (send html, or url to capture a page)', path: ['html'] });
      }
      if (v.template_id !== undefined && (v.html !== undefined || v.url !== undefined)) {
        ctx.addIssue({ code: 'custom', message: 'Send either template_id or html/url, not both', path: ['template_id'] });
      }
      if (v.template_id === undefined && (v.template_values !== undefined || v.template_version !== undefined)) {
        ctx.addIssue({ code: 'custom', message: 'template_values and template_version need a template_id', path: ['template_id'] });
      }
      if (v.html !== undefined && v.url !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'Send either html or url, not both', path: ['url'] });
      }
      if (v.html !== undefined && v.html.trim() === '') {
        ctx.addIssue({ code: 'custom', message: 'HTML is Required (html is empty)', path: ['html'] });
      }
      // A jumbo render is captured in tiles, each within the budget; its own limits bound the whole.
      if (v.viewport_width !== undefined && v.viewport_height !== undefined && v.jumbo_max_width === undefined) {
        const scale = v.device_scale ?? (v.url !== undefined ? 1 : 2);
        if (v.viewport_width * v.viewport_height * scale * scale > limits.maxRenderPixels) {
          ctx.addIssue({
            code: 'custom',
            message: `viewport_width × viewport_height × device_scale² is over the limit of ${limits.maxRenderPixels} pixels`,
            path: ['viewport_width'],
          });
        }
      }
      if (v.pdf_options) {
        // Chromium refuses such pages only when the PDF is printed, which would fail every time.
        const o = v.pdf_options;
        const max = limits.maxPdfPageInches;
        // A side of 0 prints at the default, as Playwright does.
        const page = { width: inches(o.page_width ?? 0) || inches(PDF_DEFAULT_PAGE.width), height: inches(o.page_height ?? 0) || inches(PDF_DEFAULT_PAGE.height) };
        for (const side of ['width', 'height'] as const) {
          if (page[side] > max) ctx.addIssue({ code: 'custom', message: `pdf_options.page_${side} is larger than ${max} inches`, path: ['pdf_options', `page_${side}`] });
        }
        if (o.margins) {
          const [top, right, bottom, left] = o.margins.map(inches) as [number, number, number, number];
          if (left + right >= page.width || top + bottom >= page.height) {
            ctx.addIssue({ code: 'custom', message: 'pdf_options.margins leave no room for content on the page', path: ['pdf_options', 'margins'] });
          }
        }
      }
      if ((v.viewport_width === undefined) !== (v.viewport_height === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: 'viewport_width and viewport_height must be given together',
          path: [v.viewport_width === undefined ? 'viewport_width' : 'viewport_height'],
        });
      }
    });
}

export type CreateImageRequest = z.infer<ReturnType<typeof createImageSchema>>;

/** hcti's jumbo rules, with its documented messages (guides/advanced/jumbo-images.md, "Troubleshooting"). */
function jumboIssues(v: { jumbo_max_width?: number; jumbo_max_height?: number; pdf_options?: unknown }, limits: JumboLimits): string[] {
  const { jumbo_max_width: w, jumbo_max_height: h } = v;
  if (w === undefined && h === undefined) return [];
  if (w === undefined) return ['jumbo_max_width must be present when jumbo_max_height is specified.'];
  if (h === undefined) return ['jumbo_max_height must be present when jumbo_max_width is specified.'];
  const issues: string[] = [];
  if (w <= limits.minLongSide && h <= limits.minLongSide) issues.push(`jumbo_max_height or jumbo_max_width should be greater than ${limits.minLongSide}`);
  if (w * h > limits.maxPixels) issues.push(`total jumbo pixel area cannot be greater than ${limits.maxPixels.toLocaleString('en-US')}.`);
  if (v.pdf_options !== undefined) issues.push('cannot set pdf_options and jumbo options together');
  return issues;
}

/** The fields of a create-like body (JSON object or form); anything else, an array included, is a 400. */
export function bodyFields(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('The request body must be a JSON object or form fields');
  }
  return withoutNulls(body) as Record<string, unknown>;
}

/** The fields of a url capture's page request, which hcti ignores when html or a template is rendered. */
const URL_ONLY_FIELDS = ['headers', 'additional_header_origins', 'include_headers_on_subrequests', 'identify_as_hcti'] as const;

function withoutUrlOnlyFields(request: CreateImageRequest): CreateImageRequest {
  if (request.url !== undefined) return request;
  const kept = { ...request };
  for (const field of URL_ONLY_FIELDS) delete kept[field];
  return kept;
}

/** Validates a create body; throws ValidationError whose message names the first bad field. */
export function parseCreateImage(schema: ReturnType<typeof createImageSchema>, body: unknown): CreateImageRequest {
  const result = schema.safeParse(bodyFields(body));
  if (result.success) return withoutUrlOnlyFields(result.data);
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  const message = issue.message.startsWith(field) || !field || issue.code === 'custom' || issue.code === 'unrecognized_keys'
    ? issue.message
    : `${field}: ${issue.message}`;
  throw new ValidationError(message);
}
