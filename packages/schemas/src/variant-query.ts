// GET /v1/image/:id query: the variant a client asks for (format × size × crop × density),
// normalized so that every spelling of one variant maps to one canonical description.
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';
import type { OutputFormat } from './get-image.schema';
import { formNumber } from './fields';

/** A crop coordinate or size: pixels of the stored image, or a percentage of its side. */
export type Length = { px: number } | { pct: number };
export type Origin = 'start' | 'center' | 'end';

export type Crop =
  /** x_1/y_1/x_2/y_2: the box between two corners. */
  | { kind: 'box'; x1: Length; y1: Length; x2: Length; y2: Length }
  /** crop_width/crop_height, placed by x_origin/y_origin. */
  | { kind: 'size'; width: Length; height: Length; x: Origin; y: Origin }
  /** aspect_ratio: the largest box of that ratio, placed by x_origin/y_origin. */
  | { kind: 'aspect'; w: number; h: number; x: Origin; y: Origin };

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
/** Crop coordinates in px are checked against the image later; this only bounds the syntax. */
const MAX_CROP_PX = 1_000_000;

const CROP_BOX = ['x_1', 'y_1', 'x_2', 'y_2'] as const;
const CROP_SIZE = ['crop_width', 'crop_height'] as const;
const ORIGINS = ['x_origin', 'y_origin'] as const;

/** "120" or "120px" are pixels, "12.5%" a percentage (0..100). */
const lengthField = (name: string) =>
  z
    .string()
    .regex(/^(\d+(?:\.\d+)?)(%|px)?$/, `${name} must be a number of pixels (120) or a percentage (25%)`)
    .transform((v, ctx): Length => {
      const n = parseFloat(v);
      if (v.endsWith('%')) {
        if (n > 100) ctx.addIssue({ code: 'custom', message: `${name} must be between 0% and 100%` });
        return { pct: n };
      }
      if (!Number.isInteger(n) || n > MAX_CROP_PX) ctx.addIssue({ code: 'custom', message: `${name} must be a whole number of pixels` });
      return { px: n };
    })
    .optional();

const originField = (name: string) => z.enum(['start', 'center', 'end'], { error: `${name} must be start, center or end` }).optional();

/** "16_9" (also "16:9"), reduced so that 32_18 and 16_9 are one variant. */
const ratioField = (name: string) => {
  const message = `${name} must look like 16_9 (two whole numbers above 0)`;
  return z
    .string()
    .regex(/^\d{1,4}[_:]\d{1,4}$/, message)
    .transform((v, ctx) => {
      const [w, h] = v.split(/[_:]/).map(Number) as [number, number];
      if (w === 0 || h === 0) ctx.addIssue({ code: 'custom', message });
      const d = gcd(w, h) || 1;
      return { w: w / d, h: h / d };
    })
    .optional();
};

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
    aspect_ratio: ratioField('aspect_ratio'),
    x_1: lengthField('x_1'),
    y_1: lengthField('y_1'),
    x_2: lengthField('x_2'),
    y_2: lengthField('y_2'),
    crop_width: lengthField('crop_width'),
    crop_height: lengthField('crop_height'),
    x_origin: originField('x_origin'),
    y_origin: originField('y_origin'),
  });
}

type VariantQuery = z.output<ReturnType<typeof variantQuerySchema>>;

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

function parseCrop(q: VariantQuery): Crop | undefined {
  const box = CROP_BOX.filter((n) => q[n] !== undefined);
  const size = CROP_SIZE.filter((n) => q[n] !== undefined);
  const origins = ORIGINS.filter((n) => q[n] !== undefined);
  const modes = [box[0], size[0], q.aspect_ratio && 'aspect_ratio'].filter(Boolean) as string[];
  if (modes.length > 1) throw new ValidationError(`${modes[1]} cannot be combined with ${modes[0]}: choose one way to crop`);

  if (box.length > 0) {
    if (origins.length > 0) throw new ValidationError(`${origins[0]} applies to crop_width, crop_height or aspect_ratio, not to x_1/y_1/x_2/y_2`);
    const crop: Crop = { kind: 'box', x1: q.x_1 ?? { px: 0 }, y1: q.y_1 ?? { px: 0 }, x2: q.x_2 ?? { pct: 100 }, y2: q.y_2 ?? { pct: 100 } };
    checkOrder(crop.x1, crop.x2, 'x_1', 'x_2');
    checkOrder(crop.y1, crop.y2, 'y_1', 'y_2');
    return crop;
  }
  const x = q.x_origin ?? 'center';
  const y = q.y_origin ?? 'center';
  if (size.length > 0) {
    const width = q.crop_width ?? { pct: 100 };
    const height = q.crop_height ?? { pct: 100 };
    for (const [name, l] of [['crop_width', width], ['crop_height', height]] as const) {
      if (('px' in l ? l.px : l.pct) === 0) throw new ValidationError(`${name} must be greater than 0`);
    }
    return { kind: 'size', width, height, x, y };
  }
  if (q.aspect_ratio) return { kind: 'aspect', ...q.aspect_ratio, x, y };
  if (origins.length > 0) throw new ValidationError(`${origins[0]} needs crop_width, crop_height or aspect_ratio`);
  return undefined;
}

/** Two coordinates in the same unit can be ordered now; mixed units are checked against the image. */
function checkOrder(a: Length, b: Length, an: string, bn: string): void {
  const same = ('px' in a && 'px' in b && b.px <= a.px) || ('pct' in a && 'pct' in b && b.pct <= a.pct);
  if (same) throw new ValidationError(`${bn} must be greater than ${an}`);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** True when the variant is the stored original as it is (PNG, no size, crop or density). */
export function isOriginalVariant(v: ImageVariant): boolean {
  return v.format === 'png' && v.width === undefined && v.height === undefined && v.dpi === undefined && v.crop === undefined;
}

/** One string per distinct variant: equal variants give equal strings, whatever the query's spelling. */
export function canonicalVariant(v: ImageVariant): string {
  const len = (l: Length) => ('px' in l ? `${l.px}` : `${l.pct}%`);
  const parts = [`f=${v.format}`, `w=${v.width ?? ''}`, `h=${v.height ?? ''}`, `dpi=${v.dpi ?? ''}`];
  const c = v.crop;
  if (c?.kind === 'box') parts.push(`box=${len(c.x1)},${len(c.y1)},${len(c.x2)},${len(c.y2)}`);
  if (c?.kind === 'size') parts.push(`size=${len(c.width)},${len(c.height)},${c.x},${c.y}`);
  if (c?.kind === 'aspect') parts.push(`aspect=${c.w}_${c.h},${c.x},${c.y}`);
  return parts.join(';');
}
