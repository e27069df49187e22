// GET /v1/image/:id query: the variant a client asks for (format × size × crop × density),
// normalized so that every spelling of one variant maps to one canonical description.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import type { OutputFormat } from './get-image.schema';
import { formNumber } from './fields';
import { aspectRatioField, canonicalCrop, cropLengthField, cropOriginField, parseCrop, type Crop } from './crop-query';

export interface ImageVariant {
  format: OutputFormat;
  /** Output size after the crop; one alone keeps the aspect ratio. */
  width?: number;
  height?: number;
  /** Pixels per inch written into the file's density metadata. */
  dpi?: number;
  crop?: Crop;
}

export interface VariantRequest {
  variant: ImageVariant;
  /** dl=1: served as an attachment; the bytes are the same, so it is not part of the variant. */
  download: boolean;
}

export interface VariantLimits {
  /** Largest width/height a client may ask for. */
  maxDimension: number;
}

export const DPI_RANGE = { min: 30, max: 600 } as const;

const dlField = z
  .enum(['1', '0', 'true', 'false'], { error: 'dl must be 1 or 0' })
  .transform((v) => v === '1' || v === 'true')
  .optional();

// zod compiles a parser on the first parse of each object schema: build one per limit, not one
// per GET.
const querySchemas = new Map<number, ReturnType<typeof buildVariantQuerySchema>>();

/**
 * Each query parameter on its own, parsed to its value: the first check of parseVariantQuery
 * and (input side) the source of the API docs. Rules between parameters follow in parseCrop.
 */
export function variantQuerySchema(maxDimension: number) {
  let schema = querySchemas.get(maxDimension);
  if (!schema) querySchemas.set(maxDimension, (schema = buildVariantQuerySchema(maxDimension)));
  return schema;
}

function buildVariantQuerySchema(maxDimension: number) {
  return z.object({
    width: formNumber('width', 1, maxDimension, { int: true }).optional(),
    height: formNumber('height', 1, maxDimension, { int: true }).optional(),
    dpi: formNumber('dpi', DPI_RANGE.min, DPI_RANGE.max, { int: true }).optional(),
    dl: dlField,
    aspect_ratio: aspectRatioField('aspect_ratio'),
    x_1: cropLengthField('x_1'),
    y_1: cropLengthField('y_1'),
    x_2: cropLengthField('x_2'),
    y_2: cropLengthField('y_2'),
    crop_width: cropLengthField('crop_width', 'size'),
    crop_height: cropLengthField('crop_height', 'size'),
    x_origin: cropOriginField('x_origin'),
    y_origin: cropOriginField('y_origin'),
  });
}

export function parseVariantQuery(query: Record<string, unknown>, format: OutputFormat, limits: VariantLimits): VariantRequest {
  const q = parseQuery(variantQuerySchema(limits.maxDimension), query);
  const variant: ImageVariant = { format };
  if (q.width !== undefined) variant.width = q.width;
  if (q.height !== undefined) variant.height = q.height;
  if (q.dpi !== undefined) variant.dpi = q.dpi;
  const crop = parseCrop(q);
  if (crop) variant.crop = crop;
  return { variant, download: q.dl ?? false };
}

const pdfQuerySchema = z.object({ dl: dlField });

/** A PDF is printed, not transformed: only dl applies to it. */
export function parsePdfQuery(query: Record<string, unknown>): { download: boolean } {
  const other = Object.keys(variantQuerySchema(Number.MAX_SAFE_INTEGER).shape).find((name) => name !== 'dl' && query[name] !== undefined);
  if (other) throw new ValidationError(`${other} does not apply to pdf`);
  const q = parseQuery(pdfQuerySchema, query);
  return { download: q.dl ?? false };
}

/** Validates the query's known parameters; a repeated one is an error, not a silent pick. */
function parseQuery<S extends z.ZodObject>(schema: S, query: Record<string, unknown>): z.output<S> {
  for (const name of Object.keys(schema.shape)) {
    if (query[name] !== undefined && typeof query[name] !== 'string') throw new ValidationError(`${name} must be given once`);
  }
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]!.message);
  return parsed.data;
}

/** True when the variant is the stored original as it is (PNG, no size, crop or density). */
export function isOriginalVariant(v: ImageVariant): boolean {
  return v.format === 'png' && v.width === undefined && v.height === undefined && v.dpi === undefined && v.crop === undefined;
}

/** One string per distinct variant: equal variants give equal strings, whatever the query's spelling. */
export function canonicalVariant(v: ImageVariant): string {
  const parts = [`f=${v.format}`, `w=${v.width ?? ''}`, `h=${v.height ?? ''}`, `dpi=${v.dpi ?? ''}`];
  if (v.crop) parts.push(canonicalCrop(v.crop));
  return parts.join(';');
}

/**
 * A short readable name of a variant, for object keys a person reads (a storage destination's
 * `<id>_w-400.webp`, as hcti names them): size and density as they are, a crop by a digest of its
 * canonical form; `full` for a format change alone. Equal variants give equal names.
 */
export function variantSlug(v: ImageVariant): string {
  const parts: string[] = [];
  if (v.width !== undefined) parts.push(`w-${v.width}`);
  if (v.height !== undefined) parts.push(`h-${v.height}`);
  if (v.dpi !== undefined) parts.push(`dpi-${v.dpi}`);
  if (v.crop) parts.push(`crop-${createHash('sha256').update(canonicalCrop(v.crop)).digest('hex').slice(0, 12)}`);
  return parts.length > 0 ? parts.join('_') : 'full';
}
