// POST /v1/image/batch/templated: images from one or more saved templates, as hcti documents it
// (getting-started/using-the-api, "Batch templated image creation") and its SDKs send it. Each
// variation inherits default_options: template_id, template_version (only with the inherited id:
// a variation that names a template renders its latest version unless it pins one), format, and
// template_values merged key by key, recursively; arrays, scalars and nulls in a variation
// replace the default's value.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import { parseCreateImage, type CreateImageRequest, type createImageSchema } from './create-image.schema';
import { isPlainObject, withoutNulls } from './fields';

const OPTION_FIELDS = ['template_id', 'template_version', 'template_values', 'format'] as const;

/** The options of default_options or of one variation; a null is "not given", as anywhere else. */
function optionsOf(value: unknown, where: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new ValidationError(`${where} must be an object of template options`);
  const options = withoutNulls(value) as Record<string, unknown>;
  const unknown = Object.keys(options).filter((k) => !(OPTION_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(
      `${where}: Unknown field: ${unknown.join(', ')} (a templated batch takes template_id, template_version, template_values and format; render settings come from each template)`,
    );
  }
  if (options.template_values !== undefined && !isPlainObject(options.template_values)) {
    throw new ValidationError(`${where}.template_values must be an object of values for the template`);
  }
  return options;
}

/** `over` merged into `base` key by key: objects recursively, anything else (arrays, scalars, null) replaces. */
export function mergeTemplateValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = Object.hasOwn(merged, key) ? merged[key] : undefined;
    // Defined, not assigned: a key named __proto__ is a template value like any other, and an
    // assignment would change the object's prototype instead of keeping it.
    Object.defineProperty(merged, key, { value: isPlainObject(current) && isPlainObject(value) ? mergeTemplateValues(current, value) : value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

/** The templated creates of the batch, in order; a bad variation throws ValidationError naming its index. */
export function parseTemplatedBatch(schema: ReturnType<typeof createImageSchema>, body: unknown, maxVariations: number): CreateImageRequest[] {
  if (!isPlainObject(body)) throw new ValidationError('The request body must be a JSON object');
  const unknown = Object.keys(body).filter((k) => k !== 'default_options' && k !== 'variations');
  if (unknown.length > 0) throw new ValidationError(`Unknown field: ${unknown.join(', ')}`);
  const defaults = optionsOf(body.default_options ?? {}, 'default_options');
  const variations = body.variations;
  if (!Array.isArray(variations) || variations.length === 0) throw new ValidationError('variations is required: a nonempty array of template options');
  if (variations.length > maxVariations) throw new ValidationError(`variations has ${variations.length} entries; at most ${maxVariations} are allowed`);
  return variations.map((variation, index) => {
    const where = `variations[${index}]`;
    const own = optionsOf(variation, where);
    const template_id = own.template_id ?? defaults.template_id;
    if (template_id === undefined) throw new ValidationError(`${where}: template_id is required (in the variation or in default_options)`);
    // Naming a template resets the inherited version, even to the same id.
    const template_version = own.template_id !== undefined ? own.template_version : (own.template_version ?? defaults.template_version);
    const template_values = mergeTemplateValues((defaults.template_values as Record<string, unknown>) ?? {}, (own.template_values as Record<string, unknown>) ?? {});
    if (Object.keys(template_values).length === 0) throw new ValidationError(`${where}: template_values must not be empty`);
    const format = own.format ?? defaults.format;
    try {
      return parseCreateImage(schema, { template_id, template_values, ...(template_version !== undefined ? { template_version } : {}), ...(format !== undefined ? { format } : {}) });
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(`${where}: ${err.message}`);
      throw err;
    }
  });
}

/** The shape parseTemplatedBatch accepts, as a schema for the API docs. */
export function templatedBatchBodySchema(schema: ReturnType<typeof createImageSchema>, maxVariations: number) {
  const options = z.strictObject({
    template_id: schema.shape.template_id,
    template_version: schema.shape.template_version,
    template_values: schema.shape.template_values,
    format: schema.shape.format,
  });
  return z.strictObject({ default_options: options.optional(), variations: z.array(options).min(1).max(maxVariations) });
}
