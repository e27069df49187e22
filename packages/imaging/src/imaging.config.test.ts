import { readFragment } from '@pixelfarm/env';
import { imagingConfig } from '@pixelfarm/imaging';

describe('imaging configuration', () => {
  it('has the documented defaults, well below sharp\'s own input limit', () => {
    expect(readFragment(imagingConfig, {}, undefined)).toEqual({ maxInputPixels: 50_000_000, maxOutputPixels: 25_000_000, jpegQuality: 85, webpQuality: 85, pngSkipDensity: 0.5 });
  });

  it('takes a fractional PNG_OPTIMIZE_SKIP_DENSITY from 0 to 2', () => {
    expect(readFragment(imagingConfig, { PNG_OPTIMIZE_SKIP_DENSITY: '0.35' }, undefined).pngSkipDensity).toBe(0.35);
    expect(() => readFragment(imagingConfig, { PNG_OPTIMIZE_SKIP_DENSITY: '3' }, undefined)).toThrow(/PNG_OPTIMIZE_SKIP_DENSITY/);
  });

  it('keeps qualities from 1 to 100', () => {
    expect(() => readFragment(imagingConfig, { JPEG_QUALITY: '0', WEBP_QUALITY: '101' }, undefined)).toThrow(/JPEG_QUALITY: .*; WEBP_QUALITY: /);
  });
});
