// The renderer interface the worker depends on; the Chromium implementation (and later a
// page pool) sit behind it.
import type { CreateImageRequest } from '@pixelfarm/schemas';

export interface RenderOutput {
  /** PNG bytes as captured. */
  png: Buffer;
  /** Phase timings in milliseconds, for the render-duration histogram. */
  timings: { load: number; wait: number; capture: number };
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
