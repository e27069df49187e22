// The imaging package's configuration: the pixel-bomb guards on decoding and on variants, and
// the quality of lossy variants, and which captures the lossless PNG re-encode leaves alone.
import { defineFragment, int, num } from '@pixelfarm/env';

export interface ImagingConfig {
  /** Pixel-bomb guard: inputs with more pixels are refused. */
  maxInputPixels: number;
  /** A variant larger than this (after crop and resize) is refused with 400. */
  maxOutputPixels: number;
  /** JPEG quality of variants, 1..100. */
  jpegQuality: number;
  /** WebP quality of variants, 1..100. */
  webpQuality: number;
  /** Capture bytes per raw byte above which a capture is stored as the browser encoded it. */
  pngSkipDensity: number;
}

export const imagingConfig = defineFragment({
  env: {
    /**
     * Largest number of input pixels sharp will decode (pixel-bomb guard), well below sharp's own
     * 268 megapixels; at least MAX_RENDER_PIXELS so every capture can be processed. Default 50 megapixels.
     */
    MAX_INPUT_PIXELS: int(50_000_000, 1_000_000, 268_402_689),
    /** Largest variant (after crop and resize) in pixels; a bigger one is a 400. Default 25 megapixels. */
    MAX_OUTPUT_PIXELS: int(25_000_000, 10_000, 268_000_000),
    /** JPEG quality of variants, 1..100. Default 85. */
    JPEG_QUALITY: int(85, 1, 100),
    /** WebP quality of variants, 1..100. Default 85. */
    WEBP_QUALITY: int(85, 1, 100),
    /**
     * A capture whose PNG holds more than this many bytes per byte of its raw pixels is stored as
     * the browser encoded it: photo-like captures (0.57-0.78 measured) gain 2-8 % from the
     * re-encode at two to three times a card's CPU; cards measured 0.27-0.32, text pages 0.05.
     * 2 re-encodes every capture. Default 0.5.
     */
    PNG_OPTIMIZE_SKIP_DENSITY: num(0.5, 0, 2),
  },
  build: (e): ImagingConfig => ({
    maxInputPixels: e.MAX_INPUT_PIXELS,
    maxOutputPixels: e.MAX_OUTPUT_PIXELS,
    jpegQuality: e.JPEG_QUALITY,
    webpQuality: e.WEBP_QUALITY,
    pngSkipDensity: e.PNG_OPTIMIZE_SKIP_DENSITY,
  }),
});
