// The renderer interface the worker depends on; the Chromium implementation sits behind it.
// It takes plans (render-plan.ts), never requests: the request is interpreted once, by planRender.
import type { JumboPlan, PrintPlan, RenderPlan } from './render-plan';
import type { UpstreamProxy } from '@pixelfarm/egress';

/** What a render needs beside its plan: what the worker opened for it. */
export interface RenderScope {
  /** The account's own proxy its proxy_id names, opened (password included) for this render. */
  upstream?: UpstreamProxy;
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

/** A print: the PDF's bytes. */
export interface PrintOutput {
  pdf: Buffer;
  timings: RenderTimings;
}

export interface RendererStats {
  /** Pages rendering right now. */
  pagesInUse: number;
  /** Warm pages the pool keeps. */
  poolSize: number;
}

export interface Renderer {
  /** Captures the plan's region as one PNG (scaled down to fit when it would be too large). */
  render(plan: RenderPlan, scope?: RenderScope): Promise<RenderOutput>;
  /** A jumbo plan: captured in tiles, at device_scale unless larger than the maxima. */
  renderTiles(plan: JumboPlan, scope?: RenderScope): Promise<TiledRenderOutput>;
  /** Prints the plan with the browser's PDF engine (pdf_options: page size, scale, margins). */
  renderPdf(plan: PrintPlan, scope?: RenderScope): Promise<PrintOutput>;
  /** True while the browser is connected and able to take work (readiness). */
  isHealthy(): boolean;
  stats(): RendererStats;
  close(): Promise<void>;
}
