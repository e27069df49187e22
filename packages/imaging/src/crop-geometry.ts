// Where a requested crop falls on a stored image: pure arithmetic, so every rule (bounds,
// rounding, placement) is tested without decoding anything. The rules are hcti's
// (htmlcsstoimage/docs getting-started/using-the-api.md, "Cropping parameters"); which
// parameters may go together is decided earlier, in @pixelfarm/schemas crop-query.ts.
import { ValidationError } from '@pixelfarm/errors';
import { AXIS_NAMES, type Crop, type CropAxis, type Length } from '@pixelfarm/schemas';

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

type Axis = 'x' | 'y';

/** The crop in pixels of a width × height image; a region outside the image is a 400 naming the parameters. */
export function cropRect(crop: Crop, width: number, height: number): Rect {
  // Each side's size in (fractional) pixels, when the parameters give it.
  const size = { x: givenSize(crop.x, width), y: givenSize(crop.y, height) };
  const room = { x: width - start(crop.x, width), y: height - start(crop.y, height) };
  if (crop.aspect) {
    const { w, h } = crop.aspect;
    let derived: Axis | undefined;
    if (size.x !== undefined) {
      size.y = (size.x * h) / w;
      derived = 'y';
    } else if (size.y !== undefined) {
      size.x = (size.y * w) / h;
      derived = 'x';
    } else if (room.x * h > room.y * w) {
      // Wider than the ratio: the full height, the sides trimmed.
      size.y = room.y;
      size.x = (room.y * w) / h;
    } else {
      size.x = room.x;
      size.y = (room.x * h) / w;
    }
    if (derived && size[derived]! > room[derived] + 1e-6) throw derivedTooLarge(crop, derived, size, room);
  }
  const x = place(crop.x, 'x', width, size.x ?? room.x);
  const y = place(crop.y, 'y', height, size.y ?? room.y);
  return { left: x.from, top: y.from, width: x.to - x.from, height: y.to - y.from };
}

/** The output size after cropping to `from` and resizing (one side alone keeps the aspect). */
export function outputSize(from: { width: number; height: number }, width?: number, height?: number): { width: number; height: number } {
  if (width && height) return { width, height };
  if (width) return { width, height: Math.max(1, Math.round((from.height * width) / from.width)) };
  if (height) return { width: Math.max(1, Math.round((from.width * height) / from.height)), height };
  return from;
}

/** A length in pixels from the left or top edge; a negative one counts from the right or bottom. */
function px(length: Length, side: number): number {
  const value = 'px' in length ? length.px : (length.pct / 100) * side;
  return value < 0 ? side + value : value;
}

function start(a: CropAxis, side: number): number {
  return a.start ? px(a.start, side) : 0;
}

/** crop_width, or x_2 − x_1. */
function givenSize(a: CropAxis, side: number): number | undefined {
  if (a.size) return px(a.size, side);
  if (a.start && a.end) return px(a.end, side) - px(a.start, side);
  return undefined;
}

/**
 * The region's pixel span on one axis. From a start, edges are rounded, not sizes, so x_1=67%
 * with crop_width=33% ends exactly at the right edge of any image. A region without a start is
 * centred on its origin (default 50%), then moved inside the image.
 */
function place(a: CropAxis, axis: Axis, side: number, size: number): { from: number; to: number } {
  const n = AXIS_NAMES[axis];
  if (a.start) {
    const from = px(a.start, side);
    const to = from + size;
    if (from >= side) throw new ValidationError(`${n.start} (${Math.round(from)} px) is outside the image, which is ${side} px ${n.side}`);
    if (to > side + 1e-6) {
      const what = a.end ? `${n.end} (${Math.round(to)} px)` : `${n.start} + ${n.size} (${Math.round(to)} px)`;
      throw new ValidationError(`${what} is outside the image, which is ${side} px ${n.side}`);
    }
    if (to - from <= 0) throw new ValidationError(`${n.end} must be greater than ${n.start}`);
    return span(from, to, side);
  }
  if (size > side + 1e-6) throw new ValidationError(`${n.size} (${Math.round(size)} px) is larger than the image, which is ${side} px ${n.side}`);
  // Placed, not anchored: its size is rounded once, so it does not change with where it sits.
  const whole = Math.min(side, Math.max(1, Math.round(size)));
  const centre = a.origin ? px(a.origin, side) : side / 2;
  const from = Math.min(Math.max(0, Math.round(centre - whole / 2)), side - whole);
  return { from, to: from + whole };
}

/** Rounded edges inside [0, side], at least one pixel apart. */
function span(from: number, to: number, side: number): { from: number; to: number } {
  const a = Math.min(Math.max(0, Math.round(from)), side - 1);
  const b = Math.min(Math.max(a + 1, Math.round(to)), side);
  return { from: a, to: b };
}

/** The side aspect_ratio derives does not fit in the room the image leaves for it. */
function derivedTooLarge(crop: Crop, axis: Axis, size: Record<Axis, number | undefined>, room: Record<Axis, number>): ValidationError {
  const other: Axis = axis === 'x' ? 'y' : 'x';
  const given = crop[other].size ? AXIS_NAMES[other].size : `${AXIS_NAMES[other].start}/${AXIS_NAMES[other].end}`;
  const ratio = `${crop.aspect!.w}:${crop.aspect!.h}`;
  return new ValidationError(
    `aspect_ratio ${ratio} with ${given} of ${Math.round(size[other]!)} px needs a ${AXIS_NAMES[axis].size} of ${Math.round(size[axis]!)} px, ` +
      (crop[axis].start
        ? `but the image has ${Math.round(room[axis])} px from ${AXIS_NAMES[axis].start} on`
        : `but the image is ${Math.round(room[axis])} px ${AXIS_NAMES[axis].side}`),
  );
}
