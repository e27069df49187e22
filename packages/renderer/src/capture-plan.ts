// How a region of the page becomes pixels: at which scale, in how many captures. Pure
// arithmetic, so the rules are tested without a browser.
//   - A plain capture whose longer side would pass maxCaptureSide device pixels is taken at a
//     lower scale so that it fits, as hcti does without jumbo ("we'll scale down your image to
//     fit", guides/advanced/jumbo-images.md): past the browser's texture limit Chromium would
//     repeat tiles instead.
//   - A jumbo capture keeps device_scale unless the page is larger than jumbo_max_width ×
//     jumbo_max_height; then the largest scale that keeps the aspect ratio and fits both. It is
//     split into tiles of at most tileSize × tileSize device pixels, captured one by one.

/** A rectangle of the page in CSS pixels. */
export interface CssRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One capture: where it goes in the output (device pixels) and what it shows. */
export interface PlannedTile {
  left: number;
  top: number;
  width: number;
  height: number;
  /** The page area it captures, in CSS pixels. */
  clip: CssRect;
}

export interface CapturePlan {
  /** The request's device_scale. */
  deviceScale: number;
  /** The page zoom applied on top of it (1, or below 1 when scaled down to fit). */
  zoom: number;
  /** Output size in pixels. */
  width: number;
  height: number;
  tiles: PlannedTile[];
}

export interface JumboMaxima {
  width: number;
  height: number;
}

/** One capture of the region, scaled down to fit maxCaptureSide when it would not. */
export function planSingleCapture(region: CssRect, deviceScale: number, maxCaptureSide: number): CapturePlan {
  const longest = Math.max(region.width, region.height) * deviceScale;
  const zoom = Math.min(1, maxCaptureSide / longest);
  const width = Math.min(maxCaptureSide, Math.max(1, Math.round(region.width * deviceScale * zoom)));
  const height = Math.min(maxCaptureSide, Math.max(1, Math.round(region.height * deviceScale * zoom)));
  return { deviceScale, zoom, width, height, tiles: [{ left: 0, top: 0, width, height, clip: region }] };
}

/** The region in tiles of at most tileSize device pixels a side, scaled down only to fit the maxima. */
export function planJumboCapture(region: CssRect, deviceScale: number, maxima: JumboMaxima, tileSize: number): CapturePlan {
  const natural = { width: region.width * deviceScale, height: region.height * deviceScale };
  const zoom = Math.min(1, maxima.width / natural.width, maxima.height / natural.height);
  const scale = deviceScale * zoom;
  const width = Math.min(maxima.width, Math.max(1, Math.round(natural.width * zoom)));
  const height = Math.min(maxima.height, Math.max(1, Math.round(natural.height * zoom)));
  const tiles: PlannedTile[] = [];
  for (let top = 0; top < height; top += tileSize) {
    for (let left = 0; left < width; left += tileSize) {
      const w = Math.min(tileSize, width - left);
      const h = Math.min(tileSize, height - top);
      tiles.push({ left, top, width: w, height: h, clip: { x: region.x + left / scale, y: region.y + top / scale, width: w / scale, height: h / scale } });
    }
  }
  return { deviceScale, zoom, width, height, tiles };
}
