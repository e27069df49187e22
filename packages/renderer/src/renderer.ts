// The renderer interface the worker depends on; the Chromium implementation (and later a
// page pool) sit behind it.
import type { CreateImageRequest } from '@pixelfarm/schemas';

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

export interface RendererStats {
  /** Pages rendering right now. */
  pagesInUse: number;
  /** Warm pages the pool keeps. */
  poolSize: number;
}

export interface Renderer {
  render(request: CreateImageRequest): Promise<RenderOutput>;
  /** Prints the request with the browser's PDF engine (pdf_options: page size, scale, margins). */
  renderPdf(request: CreateImageRequest): Promise<Buffer>;
  /** True while the browser is connected and able to take work (readiness). */
  isHealthy(): boolean;
  stats(): RendererStats;
  close(): Promise<void>;
}
