// The imaging package's configuration: the pixel-bomb guards on decoding and on variants, and
// the quality of lossy variants.
import { defineFragment, int } from '@pixelfarm/env';

export interface ImagingConfig {
  /** Pixel-bomb guard: inputs with more pixels are refused. */
  maxInputPixels: number;
  /** A variant larger than this (after crop and resize) is refused with 400. */
  maxOutputPixels: number;
  /** JPEG quality of variants, 1..100. */
  jpegQuality: number;
  /** WebP quality of variants, 1..100. */
  webpQuality: number;
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
  },
  build: (e): ImagingConfig => ({
    maxInputPixels: e.MAX_INPUT_PIXELS,
    maxOutputPixels: e.MAX_OUTPUT_PIXELS,
    jpegQuality: e.JPEG_QUALITY,
    webpQuality: e.WEBP_QUALITY,
  }),
});
