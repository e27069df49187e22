// Batch bodies: POST /v1/image/batch and POST /v1/batches merge each variation over
// default_options and validate it as a single create; DELETE /v1/image/batch takes image ids.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { callbackUrl, parseCreateImage, type CreateImageRequest, type createImageSchema } from './create-image.schema';
import { isPlainObject, withoutNulls } from './fields';

/** Form bodies carry nested values as JSON text. */
function decoded(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function bodyObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(body)) throw new ValidationError('The request body must be a JSON object');
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new ValidationError(`Unknown field: ${unknown.join(', ')}`);
  return body;
}

/** The creates of a batch, in order; a bad variation throws ValidationError naming its index. */
export function parseBatchCreate(schema: ReturnType<typeof createImageSchema>, body: unknown, maxVariations: number): CreateImageRequest[] {
  return parseVariations(schema, bodyObject(body, ['default_options', 'variations']), maxVariations);
}

/** A bulk job (POST /v1/batches): its creates, in order, and where to report the finished batch. */
export interface BulkJobRequest {
  requests: CreateImageRequest[];
  callback_url?: string;
}

const bulkCallbackSchema = callbackUrl('callback_url');

/** A bulk job body; a bad variation throws ValidationError naming its index, as a batch does. */
export function parseBulkJob(schema: ReturnType<typeof createImageSchema>, body: unknown, maxVariations: number): BulkJobRequest {
  const fields = bodyObject(body, ['default_options', 'variations', 'callback_url']);
  let callback_url: string | undefined;
  if (fields.callback_url !== undefined) {
    const parsed = bulkCallbackSchema.safeParse(fields.callback_url);
    if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message);
    callback_url = parsed.data;
  }
  return { requests: parseVariations(schema, fields, maxVariations), callback_url };
}

function parseVariations(schema: ReturnType<typeof createImageSchema>, fields: Record<string, unknown>, maxVariations: number): CreateImageRequest[] {
  const defaults = decoded(fields.default_options ?? {});
  if (!isPlainObject(defaults)) throw new ValidationError('default_options must be an object of create options');
  const variations = decoded(fields.variations);
  if (!Array.isArray(variations) || variations.length === 0) {
    throw new ValidationError('variations is required: an array of create options');
  }
  if (variations.length > maxVariations) {
    throw new ValidationError(`variations has ${variations.length} entries; at most ${maxVariations} are allowed`);
  }
  return variations.map((variation, index) => {
    if (!isPlainObject(variation)) throw new ValidationError(`variations[${index}]: must be an object of create options`);
    try {
      // A null in either is "not given" (hcti's clients send unset fields as null): the variation inherits.
      return parseCreateImage(schema, { ...(withoutNulls(defaults) as object), ...(withoutNulls(variation) as object) });
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(`variations[${index}]: ${err.message}`);
      throw err;
    }
  });
}

/** The ids of a batch delete. */
export function parseBatchDelete(body: unknown, maxIds: number): string[] {
  const fields = bodyObject(body, ['ids']);
  const ids = decoded(fields.ids);
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
    throw new ValidationError('ids is required: an array of image ids');
  }
  if (ids.length > maxIds) throw new ValidationError(`ids has ${ids.length} entries; at most ${maxIds} are allowed`);
  return ids as string[];
}

/**
 * The shape parseBatchCreate accepts, as a schema for the API docs. Each variation (merged over
 * default_options) must then pass the create schema's cross-field rules as a single create.
 */
export function batchCreateBodySchema(schema: ReturnType<typeof createImageSchema>, maxVariations: number) {
  return z.strictObject({
    default_options: schema.optional(),
    variations: z.array(schema).min(1).max(maxVariations),
  });
}

/** The shape parseBulkJob accepts (POST /v1/batches), as a schema for the API docs. */
export function bulkJobBodySchema(schema: ReturnType<typeof createImageSchema>, maxVariations: number) {
  return z.strictObject({
    default_options: schema.optional(),
    variations: z.array(schema).min(1).max(maxVariations),
    callback_url: bulkCallbackSchema.optional(),
  });
}

/** The shape parseBatchDelete accepts, as a schema for the API docs. */
export function batchDeleteBodySchema(maxIds: number) {
  return z.strictObject({ ids: z.array(z.string()).min(1).max(maxIds) });
}
