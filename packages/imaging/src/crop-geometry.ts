// Where a requested crop falls on a stored image: pure arithmetic, so every rule (bounds,
// rounding, placement) is tested without decoding anything.
import { ValidationError } from '@pixelfarm/errors';
import type { Crop, Length, Origin } from '@pixelfarm/schemas';

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The crop in pixels of a width × height image; a box outside the image is a 400 naming the parameter. */
export function cropRect(crop: Crop, width: number, height: number): Rect {
  if (crop.kind === 'box') {
    const x1 = toPx(crop.x1, width, 'x_1');
    const x2 = toPx(crop.x2, width, 'x_2');
    const y1 = toPx(crop.y1, height, 'y_1');
    const y2 = toPx(crop.y2, height, 'y_2');
    if (x2 <= x1) throw new ValidationError('x_2 must be greater than x_1');
    if (y2 <= y1) throw new ValidationError('y_2 must be greater than y_1');
    return { left: x1, top: y1, width: x2 - x1, height: y2 - y1 };
  }
  let w: number;
  let h: number;
  if (crop.kind === 'size') {
    w = Math.max(1, toPx(crop.width, width, 'crop_width'));
    h = Math.max(1, toPx(crop.height, height, 'crop_height'));
  } else if (width * crop.h > height * crop.w) {
    // Wider than the ratio: full height, trimmed sides.
    h = height;
    w = Math.max(1, Math.round((height * crop.w) / crop.h));
  } else {
    w = width;
    h = Math.max(1, Math.round((width * crop.h) / crop.w));
  }
  return { left: place(crop.x, width, w), top: place(crop.y, height, h), width: w, height: h };
}

/** The output size after cropping to `from` and resizing (one side alone keeps the aspect). */
export function outputSize(from: { width: number; height: number }, width?: number, height?: number): { width: number; height: number } {
  if (width && height) return { width, height };
  if (width) return { width, height: Math.max(1, Math.round((from.height * width) / from.width)) };
  if (height) return { width: Math.max(1, Math.round((from.width * height) / from.height)), height };
  return from;
}

function toPx(length: Length, side: number, name: string): number {
  const px = 'px' in length ? length.px : Math.round((length.pct / 100) * side);
  if (px > side) throw new ValidationError(`${name} (${px} px) is outside the image, which is ${side} px on that side`);
  return px;
}

function place(origin: Origin, side: number, size: number): number {
  if (origin === 'start') return 0;
  if (origin === 'end') return side - size;
  return Math.floor((side - size) / 2);
}
