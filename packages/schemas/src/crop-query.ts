// The cropping parameters of GET /v1/image/:id, as hcti documents them
// (htmlcsstoimage/docs getting-started/using-the-api.md, "Cropping parameters"): each axis is
// x_1 with x_2, x_1 with crop_width, crop_width alone (placed by x_origin), or nothing; and
// aspect_ratio derives the size of one axis from the other, or alone takes the largest region
// of that ratio. Only the syntax and the rules between parameters are checked here; where the
// region falls on an image is crop-geometry.ts's (@pixelfarm/imaging).
import { z } from 'zod';
import { ValidationError } from '@pixelfarm/errors';

/** A crop coordinate or size: pixels of the stored image, or a percentage of its side. */
export type Length = { px: number } | { pct: number };

/** One axis of a crop: x_1, x_2, crop_width, x_origin (or their y counterparts). */
export interface CropAxis {
  /** x_1 / y_1: where the region starts. */
  start?: Length;
  /** x_2 / y_2: where it ends (always with start). */
  end?: Length;
  /** crop_width / crop_height: its size (with start, or placed by origin). */
  size?: Length;
  /**
   * x_origin / y_origin: the point a region without a start is centred on, clamped so the
   * region stays inside the image. start, center and end are 0%, 50% and 100%. Default 50%.
   */
  origin?: Length;
}

export interface Crop {
  x: CropAxis;
  y: CropAxis;
  /** aspect_ratio, reduced (32_18 is 16:9). */
  aspect?: { w: number; h: number };
}

/** The parameter names of each axis, for messages. */
export const AXIS_NAMES = {
  x: { start: 'x_1', end: 'x_2', size: 'crop_width', origin: 'x_origin', side: 'wide' },
  y: { start: 'y_1', end: 'y_2', size: 'crop_height', origin: 'y_origin', side: 'tall' },
} as const;

/** Crop coordinates in px are checked against the image later; this only bounds the syntax. */
const MAX_CROP_PX = 1_000_000;
const ORIGIN_ALIASES: Record<string, Length> = { start: { pct: 0 }, center: { pct: 50 }, end: { pct: 100 } };

/**
 * "120" or "120px" are pixels, "12.5%" a percentage (0..100). A coordinate (x_1, x_2, y_1, y_2,
 * and an origin) may be negative: counted from the right or bottom edge, as hcti's parameter
 * table has it ("x_1=-33%&crop_width=33%" is the right third). A size may not.
 */
export const cropLengthField = (name: string, role: 'coordinate' | 'size' = 'coordinate') => {
  const sign = role === 'coordinate' ? '-?' : '';
  const message =
    role === 'coordinate'
      ? `${name} must be a number of pixels (120) or a percentage (25%), negative to count from the far edge (-25%)`
      : `${name} must be a number of pixels (120) or a percentage (25%)`;
  return z
    .string()
    .regex(new RegExp(`^${sign}(\\d+(?:\\.\\d+)?)(%|px)?$`), message)
    .transform((v, ctx): Length => {
      const n = parseFloat(v);
      if (v.endsWith('%')) {
        if (Math.abs(n) > 100) ctx.addIssue({ code: 'custom', message: `${name} must be between ${sign ? '-100% and ' : '0% and '}100%` });
        return { pct: n };
      }
      if (!Number.isInteger(n) || Math.abs(n) > MAX_CROP_PX) ctx.addIssue({ code: 'custom', message: `${name} must be a whole number of pixels` });
      return { px: n };
    })
    .optional();
};

/** x_origin / y_origin: start, center, end, pixels (100px) or a percentage (50%), negative from the far edge. */
export const cropOriginField = (name: string) => {
  const message = `${name} must be start, center, end, a number of pixels (100px) or a percentage (50%), negative to count from the far edge`;
  const length = cropLengthField(name);
  return z
    .string()
    .transform((v, ctx): Length | undefined => {
      const alias = ORIGIN_ALIASES[v];
      if (alias) return alias;
      const parsed = length.safeParse(v);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: /^-?\d/.test(v) ? parsed.error.issues[0]!.message : message });
        return z.NEVER;
      }
      return parsed.data;
    })
    .optional();
};

/** "16_9" (also "16:9"), reduced so that 32_18 and 16_9 are one variant. */
export const aspectRatioField = (name: string) => {
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

/** The crop fields of a parsed query. */
export interface CropQuery {
  aspect_ratio?: { w: number; h: number };
  x_1?: Length;
  y_1?: Length;
  x_2?: Length;
  y_2?: Length;
  crop_width?: Length;
  crop_height?: Length;
  x_origin?: Length;
  y_origin?: Length;
}

/** The crop the parameters describe, or undefined; a combination hcti does not define is a 400 naming the parameters. */
export function parseCrop(q: CropQuery): Crop | undefined {
  const x = axisOf('x', { start: q.x_1, end: q.x_2, size: q.crop_width, origin: q.x_origin }, q.aspect_ratio !== undefined);
  const y = axisOf('y', { start: q.y_1, end: q.y_2, size: q.crop_height, origin: q.y_origin }, q.aspect_ratio !== undefined);
  if (q.aspect_ratio) {
    const sized = (['x', 'y'] as const).filter((a) => sizeNames(a, a === 'x' ? x : y).length > 0);
    if (sized.length === 2) {
      const names = [...sizeNames('x', x), ...sizeNames('y', y)];
      throw new ValidationError(
        `aspect_ratio cannot be combined with ${names.join(' and ')}: with aspect_ratio give the size of one side only (crop_width or crop_height), the other follows from the ratio`,
      );
    }
    return { x, y, aspect: q.aspect_ratio };
  }
  if (isEmpty(x) && isEmpty(y)) return undefined;
  return { x, y };
}

function axisOf(axis: 'x' | 'y', a: CropAxis, hasAspect: boolean): CropAxis {
  const n = AXIS_NAMES[axis];
  if (a.end && !a.start) throw new ValidationError(`${n.end} must be used with ${n.start}`);
  if (a.end && a.size) {
    throw new ValidationError(`${n.end} cannot be combined with ${n.size}: both set where the crop ends (use ${n.start} with one of them)`);
  }
  if (a.origin && (a.start || a.end)) {
    throw new ValidationError(`${n.origin} cannot be combined with ${a.start ? n.start : n.end}: ${n.origin} places a crop that has no ${n.start}`);
  }
  if (a.origin && !a.size && !hasAspect) throw new ValidationError(`${n.origin} needs ${n.size} or aspect_ratio`);
  if (a.size && ('px' in a.size ? a.size.px : a.size.pct) === 0) throw new ValidationError(`${n.size} must be greater than 0`);
  if (a.start && a.end) checkOrder(a.start, a.end, n.start, n.end);
  const out: CropAxis = {};
  if (a.start) out.start = a.start;
  if (a.end) out.end = a.end;
  if (a.size) out.size = a.size;
  if (a.origin) out.origin = a.origin;
  return out;
}

/** The parameters that give an axis its size: crop_width, or x_1 with x_2. */
function sizeNames(axis: 'x' | 'y', a: CropAxis): string[] {
  const n = AXIS_NAMES[axis];
  if (a.size) return [n.size];
  if (a.start && a.end) return [`${n.start}/${n.end}`];
  return [];
}

function isEmpty(a: CropAxis): boolean {
  return !a.start && !a.end && !a.size && !a.origin;
}

/**
 * Two coordinates in the same unit, counted from the same edge, can be ordered now; others are
 * checked against the image.
 */
function checkOrder(a: Length, b: Length, an: string, bn: string): void {
  const value = (l: Length) => ('px' in l ? l.px : l.pct);
  if (value(a) < 0 !== value(b) < 0) return;
  const same = ('px' in a && 'px' in b && b.px <= a.px) || ('pct' in a && 'pct' in b && b.pct <= a.pct);
  if (same) throw new ValidationError(`${bn} must be greater than ${an}`);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * One string per distinct crop, whatever the spelling: 0 px is 0 %, an origin of center is the
 * default and an aspect ratio is reduced, so equal crops share one stored variant.
 */
export function canonicalCrop(c: Crop): string {
  const len = (l: Length) => ('px' in l ? (l.px === 0 ? '0' : `${l.px}`) : l.pct === 0 ? '0' : `${l.pct}%`);
  const axis = (a: CropAxis) => {
    const origin = a.start ? '' : len(a.origin ?? { pct: 50 });
    return [a.start && len(a.start), a.end && len(a.end), a.size && len(a.size), origin].map((p) => p ?? '').join(',');
  };
  return `crop=${axis(c.x)};${axis(c.y)};${c.aspect ? `${c.aspect.w}_${c.aspect.h}` : ''}`;
}
