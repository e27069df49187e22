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
const LENGTH_PATTERN = /^(\d+(?:\.\d+)?)(%|px)?$/;
const RATIO_PATTERN = /^(\d{1,4})[_:](\d{1,4})$/;

const lengthField = (name: string) =>
  z.string().regex(LENGTH_PATTERN, `${name} must be a number of pixels (120) or a percentage (25%)`).optional();
const originField = (name: string) => z.enum(['start', 'center', 'end'], { error: `${name} must be start, center or end` }).optional();

/**
 * Each query parameter on its own: the first check of parseVariantQuery and the source of the
 * API docs. Rules between parameters (one way to crop, x_1 < x_2, bounds of the image) follow.
 */
export function variantQuerySchema(maxDimension: number) {
  return z.object({
    width: formNumber('width', 1, maxDimension, { int: true }).optional(),
    height: formNumber('height', 1, maxDimension, { int: true }).optional(),
    dpi: formNumber('dpi', DPI_RANGE.min, DPI_RANGE.max, { int: true }).optional(),
    dl: z.enum(['1', '0', 'true', 'false'], { error: 'dl must be 1 or 0' }).optional(),
    aspect_ratio: z.string().regex(RATIO_PATTERN, 'aspect_ratio must look like 16_9 (two whole numbers above 0)').optional(),
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

export function parseVariantQuery(query: Record<string, unknown>, format: OutputFormat, limits: VariantLimits): VariantRequest {
  const schema = variantQuerySchema(limits.maxDimension);
  for (const name of Object.keys(schema.shape)) {
    if (query[name] !== undefined && typeof query[name] !== 'string') throw new ValidationError(`${name} must be given once`);
  }
  const checked = schema.safeParse(query);
  if (!checked.success) throw new ValidationError(checked.error.issues[0]!.message);
  const q = new QueryReader(query);
  const width = q.int('width', 1, limits.maxDimension);
  const height = q.int('height', 1, limits.maxDimension);
  const dpi = q.int('dpi', DPI_RANGE.min, DPI_RANGE.max);
  const download = q.flag('dl');
  const crop = parseCrop(q);
  const variant: ImageVariant = { format };
  if (width !== undefined) variant.width = width;
  if (height !== undefined) variant.height = height;
  if (dpi !== undefined) variant.dpi = dpi;
  if (crop) variant.crop = crop;
  return { variant, download };
}

/** A PDF is printed, not transformed: only dl applies to it. */
export function parsePdfQuery(query: Record<string, unknown>): { download: boolean } {
  const q = new QueryReader(query);
  for (const name of ['width', 'height', 'dpi', 'aspect_ratio', ...CROP_BOX, ...CROP_SIZE, ...ORIGINS]) {
    if (q.has(name)) throw new ValidationError(`${name} does not apply to pdf`);
  }
  return { download: q.flag('dl') };
}

function parseCrop(q: QueryReader): Crop | undefined {
  const box = CROP_BOX.filter((n) => q.has(n));
  const size = CROP_SIZE.filter((n) => q.has(n));
  const aspect = q.has('aspect_ratio');
  const origins = ORIGINS.filter((n) => q.has(n));
  const modes = [box.length > 0 && box[0]!, size.length > 0 && size[0]!, aspect && 'aspect_ratio'].filter(Boolean) as string[];
  if (modes.length > 1) throw new ValidationError(`${modes[1]} cannot be combined with ${modes[0]}: choose one way to crop`);

  if (box.length > 0) {
    if (origins.length > 0) throw new ValidationError(`${origins[0]} applies to crop_width, crop_height or aspect_ratio, not to x_1/y_1/x_2/y_2`);
    const crop: Crop = {
      kind: 'box',
      x1: q.length('x_1') ?? { px: 0 },
      y1: q.length('y_1') ?? { px: 0 },
      x2: q.length('x_2') ?? { pct: 100 },
      y2: q.length('y_2') ?? { pct: 100 },
    };
    checkOrder(crop.x1, crop.x2, 'x_1', 'x_2');
    checkOrder(crop.y1, crop.y2, 'y_1', 'y_2');
    return crop;
  }
  const x = q.origin('x_origin');
  const y = q.origin('y_origin');
  if (size.length > 0) {
    const width = q.length('crop_width') ?? { pct: 100 };
    const height = q.length('crop_height') ?? { pct: 100 };
    for (const [name, l] of [['crop_width', width], ['crop_height', height]] as const) {
      if (('px' in l && l.px === 0) || ('pct' in l && l.pct === 0)) throw new ValidationError(`${name} must be greater than 0`);
    }
    return { kind: 'size', width, height, x, y };
  }
  if (aspect) {
    const [w, h] = q.ratio('aspect_ratio');
    return { kind: 'aspect', w, h, x, y };
  }
  if (origins.length > 0) throw new ValidationError(`${origins[0]} needs crop_width, crop_height or aspect_ratio`);
  return undefined;
}

/** Two coordinates in the same unit can be ordered now; mixed units are checked against the image. */
function checkOrder(a: Length, b: Length, an: string, bn: string): void {
  const same = ('px' in a && 'px' in b && b.px <= a.px) || ('pct' in a && 'pct' in b && b.pct <= a.pct);
  if (same) throw new ValidationError(`${bn} must be greater than ${an}`);
}

/** Reads single query values (a repeated parameter is an error, not a silent pick). */
class QueryReader {
  constructor(private readonly query: Record<string, unknown>) {}

  has(name: string): boolean {
    return this.query[name] !== undefined;
  }

  private raw(name: string): string | undefined {
    const v = this.query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new ValidationError(`${name} must be given once`);
    return v.trim();
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new ValidationError(`${name} must be a whole number between ${min} and ${max}`);
    const n = Number(v);
    if (n < min || n > max) throw new ValidationError(`${name} must be between ${min} and ${max}`);
    return n;
  }

  flag(name: string): boolean {
    const v = this.raw(name);
    if (v === undefined || v === '0' || v === 'false' || v === '') return false;
    if (v === '1' || v === 'true') return true;
    throw new ValidationError(`${name} must be 1 or 0`);
  }

  /** "120" or "120px" are pixels, "12.5%" a percentage (0..100). */
  length(name: string): Length | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const m = LENGTH_PATTERN.exec(v);
    if (!m) throw new ValidationError(`${name} must be a number of pixels (120) or a percentage (25%)`);
    const n = Number(m[1]);
    if (m[2] === '%') {
      if (n > 100) throw new ValidationError(`${name} must be between 0% and 100%`);
      return { pct: n };
    }
    if (!Number.isInteger(n) || n > MAX_CROP_PX) throw new ValidationError(`${name} must be a whole number of pixels`);
    return { px: n };
  }

  origin(name: string): Origin {
    const v = this.raw(name);
    if (v === undefined) return 'center';
    if (v === 'start' || v === 'center' || v === 'end') return v;
    throw new ValidationError(`${name} must be start, center or end`);
  }

  /** "16_9" (also "16:9"), reduced so that 32_18 and 16_9 are one variant. */
  ratio(name: string): [number, number] {
    const v = this.raw(name)!;
    const m = RATIO_PATTERN.exec(v);
    const w = m ? Number(m[1]) : 0;
    const h = m ? Number(m[2]) : 0;
    if (!m || w === 0 || h === 0) throw new ValidationError(`${name} must look like 16_9 (two whole numbers above 0)`);
    const d = gcd(w, h);
    return [w / d, h / d];
  }
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
