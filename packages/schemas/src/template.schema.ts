// POST /v1/template bodies: html (a Handlebars template), css, name, description, and default
// render options, which are validated exactly like the fields of a create.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { bodyFields, parseCreateImage, type CreateImageRequest, type createImageSchema } from './create-image.schema';
import { pageSize } from './fields';

/** Render options a template carries as defaults for the images made from it. */
export type TemplateOptions = Omit<CreateImageRequest, 'html' | 'css' | 'url' | 'template_id' | 'template_version' | 'template_values'>;

export interface TemplateBody {
  html: string;
  css: string | null;
  name: string | null;
  description: string | null;
  options: TemplateOptions;
}

export const TEMPLATE_NAME_MAX = 64;
export const TEMPLATE_DESCRIPTION_MAX = 1024;

// A template is html to fill in: a url, or a reference to another template, makes no sense in it.
const NOT_TEMPLATE_FIELDS = ['url', 'template_id', 'template_version', 'template_values'] as const;

function optionalText(body: Record<string, unknown>, field: string, max: number): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`);
  if (value.length > max) throw new ValidationError(`${field} is longer than ${max} characters`);
  return value;
}

/** Validates a template body; throws ValidationError naming the first bad field. */
export function parseTemplateBody(schema: ReturnType<typeof createImageSchema>, body: unknown): TemplateBody {
  const fields = bodyFields(body);
  const { name: _name, description: _description, ...rest } = fields;
  const name = optionalText(fields, 'name', TEMPLATE_NAME_MAX);
  const description = optionalText(fields, 'description', TEMPLATE_DESCRIPTION_MAX);
  for (const field of NOT_TEMPLATE_FIELDS) {
    if (rest[field] !== undefined) throw new ValidationError(`${field} is not accepted by templates: a template renders its html`);
  }
  if (rest.html === undefined || rest.html === null) throw new ValidationError('HTML is Required');
  const { html, css, url: _url, template_id: _t, template_version: _v, template_values: _vals, ...options } = parseCreateImage(schema, rest);
  return { html: html!, css: css ?? null, name, description, options };
}

/**
 * The shape parseTemplateBody accepts, as a schema for the API docs: every create field a template
 * may carry as a default (built from the create schema itself, so limits cannot drift), html
 * required, plus name and description.
 */
export function templateBodySchema(schema: ReturnType<typeof createImageSchema>) {
  const notTemplate: readonly string[] = NOT_TEMPLATE_FIELDS;
  const options = Object.fromEntries(Object.entries(schema.shape).filter(([field]) => !notTemplate.includes(field)));
  return z.strictObject({
    ...options,
    html: schema.shape.html.unwrap(),
    name: z.string().max(TEMPLATE_NAME_MAX).nullable().optional(),
    description: z.string().max(TEMPLATE_DESCRIPTION_MAX).nullable().optional(),
  });
}

/** Template listings' page sizes, as hcti serves them (its clients: count 1..100, default 10). */
export const TEMPLATE_PAGE = { defaultCount: 10, maxCount: 100 } as const;

/**
 * The query of the template listings: how many, and the version to start below (max_version,
 * exclusive: the previous page's pagination.next_page_start).
 */
export const templatePageQuerySchema = z.object({
  count: pageSize('count', TEMPLATE_PAGE.maxCount).optional(),
  max_version: z
    .string({ error: 'max_version must be a template version (a whole number)' })
    .regex(/^\d{1,16}$/, 'max_version must be a template version (a whole number)')
    .transform(Number)
    .optional(),
});

export interface TemplatePageQuery {
  count: number;
  /** Only versions below this one. */
  maxVersion?: number;
}

export function parseTemplatePageQuery(query: Record<string, unknown>): TemplatePageQuery {
  const parsed = templatePageQuerySchema.safeParse(query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message);
  return { count: parsed.data.count ?? TEMPLATE_PAGE.defaultCount, maxVersion: parsed.data.max_version };
}
