import { readFragment } from '@pixelfarm/env';
import { createLimitsConfig } from './schemas.config';

const renderer = { maxRenderPixels: 40_000_000, jumbo: { maxSide: 80_000, maxPixels: 400_000_000 }, proxyIds: ['corp'] };

describe('create request limits', () => {
  it('has the documented defaults and takes the pixel budget, jumbo limits and proxy ids from the renderer', () => {
    expect(readFragment(createLimitsConfig, {}, renderer)).toEqual({
      maxHtmlChars: 2_000_000,
      maxViewportWidth: 6000,
      maxViewportHeight: 6000,
      maxPdfPageInches: 200,
      ...renderer,
    });
  });

  it('keeps a PDF page within what Chromium can print', () => {
    expect(() => readFragment(createLimitsConfig, { PDF_MAX_PAGE_INCHES: '501' }, renderer)).toThrow(/PDF_MAX_PAGE_INCHES/);
  });
});
