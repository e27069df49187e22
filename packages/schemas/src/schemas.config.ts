// The schemas package's configuration: the limits a create request is validated against. The
// pixel budget, the jumbo limits and the proxy ids belong to the renderer and arrive as context.
import { defineFragment, int } from '@pixelfarm/env';
import type { CreateLimits } from './create-image.schema';

export type { CreateLimits };

/** What the renderer's slice decides about a request: its pixel budget, jumbo limits and proxy ids. */
export type CreateLimitsContext = Pick<CreateLimits, 'maxRenderPixels' | 'proxyIds' | 'jumbo'>;

export const createLimitsConfig = defineFragment({
  env: {
    /** Longest accepted html (and css) string, in characters. Default 2,000,000. */
    MAX_HTML_CHARS: int(2_000_000, 100, 50_000_000),
    /** Widest viewport a create may ask for. Default 6000. */
    MAX_VIEWPORT_WIDTH: int(6000, 100, 20_000),
    /** Tallest viewport a create may ask for. Default 6000. */
    MAX_VIEWPORT_HEIGHT: int(6000, 100, 20_000),
    /**
     * Largest PDF page side in inches (pdf_options.page_width/page_height). 200 is the PDF 1.x page
     * limit (14,400 units); Chromium's printing fails somewhere between 500 and 1,000. Default 200.
     */
    PDF_MAX_PAGE_INCHES: int(200, 1, 500),
  },
  build: (e, context: CreateLimitsContext): CreateLimits => ({
    maxHtmlChars: e.MAX_HTML_CHARS,
    maxViewportWidth: e.MAX_VIEWPORT_WIDTH,
    maxViewportHeight: e.MAX_VIEWPORT_HEIGHT,
    maxPdfPageInches: e.PDF_MAX_PAGE_INCHES,
    maxRenderPixels: context.maxRenderPixels,
    jumbo: { maxSide: context.jumbo.maxSide, maxPixels: context.jumbo.maxPixels },
    proxyIds: context.proxyIds,
  }),
});
