// The renderer interface the worker depends on; the Chromium implementation (and later a
// page pool) sit behind it.
import type { CreateImageRequest } from '@pixelfarm/schemas';
import type { UpstreamProxyConfig } from './upstream-relay';

/** What a render needs beside its request: what the worker opened for it. */
export interface RenderScope {
  /** The account's own proxy its proxy_id names, opened (password included) for this render. */
  upstream?: UpstreamProxyConfig;
}

/** Phase timings of one render in milliseconds, for the render-duration histogram. */
export interface RenderTimings {
  /** Waiting for a page (a warm pooled one, or a new context). */
  acquire: number;
  load: number;
  wait: number;
  /** The last step: the capture (region, pixel budget, screenshot) or the print. */
  capture: number;
}

export interface RenderOutput {
  /** PNG bytes as captured. */
  png: Buffer;
  timings: RenderTimings;
}

/** One tile of a jumbo render: where it goes in the output, and its PNG. */
export interface CapturedTile {
  left: number;
  top: number;
  width: number;
  height: number;
  png: Buffer;
}

/** A jumbo render: tiles of at most the tile size, to be stitched into width × height. */
export interface TiledRenderOutput {
  width: number;
  height: number;
  tiles: CapturedTile[];
  timings: RenderTimings;
}

export interface RendererStats {
  /** Pages rendering right now. */
  pagesInUse: number;
  /** Warm pages the pool keeps. */
  poolSize: number;
}

export interface Renderer {
  render(request: CreateImageRequest, scope?: RenderScope): Promise<RenderOutput>;
  /** A jumbo request (jumbo_max_width/jumbo_max_height): captured in tiles, at device_scale unless larger than the maxima. */
  renderTiles(request: CreateImageRequest, scope?: RenderScope): Promise<TiledRenderOutput>;
  /** Prints the request with the browser's PDF engine (pdf_options: page size, scale, margins). */
  renderPdf(request: CreateImageRequest, scope?: RenderScope): Promise<Buffer>;
  /** True while the browser is connected and able to take work (readiness). */
  isHealthy(): boolean;
  stats(): RendererStats;
  close(): Promise<void>;
}
