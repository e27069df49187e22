// The only sharp user: decodes stored PNGs and encodes the variants clients ask for.
// Library-wide sharp settings are applied here, once.
import sharp from 'sharp';
import { ValidationError } from '@pixelfarm/errors';
import type { ImageVariant } from '@pixelfarm/schemas';
import { cropRect, outputSize } from './crop-geometry';
import type { ImagingConfig } from './imaging.config';

export type EncodeFormat = ImageVariant['format'];

/** The imaging slice of the configuration, as it is, and how many threads sharp may use. */
export interface ImageProcessorOptions extends ImagingConfig {
  /** libvips threads per image (process-wide). Default: libvips' own (one per core). */
  threadsPerImage?: number;
}

export interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
  contentType: string;
}

/** One PNG tile of a jumbo render and where it goes. */
export interface StitchTile {
  left: number;
  top: number;
  width: number;
  height: number;
  png: Buffer;
}

/**
 * zlib level 6 without adaptive filtering: on cards and pages, libvips' adaptive filters made
 * files larger and cost two to three times the CPU; level 9 saved 0-20 % more at 1.5 to 7 times
 * the CPU (the candidates table in the README's Performance section).
 */
const LOSSLESS_PNG = { compressionLevel: 6, adaptiveFiltering: false } as const;

const CONTENT_TYPES: Record<EncodeFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

export class ImageProcessor {
  constructor(private readonly options: ImageProcessorOptions) {
    // libvips' operation cache only helps repeated identical operations, which variants never are.
    sharp.cache(false);
    if (options.threadsPerImage) sharp.concurrency(options.threadsPerImage);
  }

  async inspect(input: Buffer): Promise<{ width: number; height: number; format: string }> {
    const meta = await sharp(input, { limitInputPixels: this.options.maxInputPixels }).metadata();
    return { width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? 'unknown' };
  }

  /** A PNG kept as it is (the browser's own encoding): its size from the header, no re-encode. */
  async asIs(png: Buffer): Promise<EncodedImage> {
    return (await this.inspectCapture(png)).image;
  }

  /**
   * A capture kept as it is, and whether encodePng would re-encode it (false: photo-like), from
   * one read of its header: the deferred path needs both and decodes nothing.
   */
  async inspectCapture(png: Buffer): Promise<{ image: EncodedImage; reencodes: boolean }> {
    const meta = await sharp(png, { limitInputPixels: this.options.maxInputPixels }).metadata();
    if (meta.format !== 'png' || !meta.width || !meta.height) throw new Error('The capture is not a PNG');
    const { width, height, channels = 4 } = meta;
    const skip = this.options.pngSkipDensity;
    return { image: { data: png, width, height, contentType: 'image/png' }, reencodes: png.length / (width * height * channels) <= skip };
  }

  /**
   * The lossless re-encode of a capture. Chromium's fast PNG (optimizeForSpeed: an Up filter and
   * the quickest zlib level) is three to five times larger than this encode for cards and pages,
   * but a photo-like capture (noise, photographs) gains a few percent at two to three times the
   * CPU of a card. Such captures are recognised before any decode by how dense the browser's
   * encoding already is (bytes per byte of raw pixels, from the header): above `pngSkipDensity`
   * the capture is kept as it is, unless `always` (the re-encode is what brings it under a
   * size limit). The answer is never larger than the input.
   */
  async encodePng(input: Buffer, always = false): Promise<EncodedImage> {
    const { image, reencodes } = await this.inspectCapture(input);
    if (!always && !reencodes) return image;
    const data = await sharp(input, { limitInputPixels: this.options.maxInputPixels }).png(LOSSLESS_PNG).toBuffer();
    return data.length < input.length ? { ...image, data } : image;
  }

  /**
   * Stitches the tiles of a jumbo render into one PNG of width × height. libvips composites
   * them onto the canvas strip by strip as it encodes, so the raw canvas (4 bytes a pixel:
   * 1.6 GB at 20,000 × 20,000) is never in memory at once; only the tiles' PNGs and the strips
   * in flight are. A tile a pixel off its planned size (the browser rounds) is trimmed or
   * padded with its own edge, never stretched.
   */
  async stitchPng(tiles: readonly StitchTile[], width: number, height: number): Promise<EncodedImage> {
    const inputs = await Promise.all(
      tiles.map(async (t) => {
        const limitInputPixels = (t.width + 2) * (t.height + 2);
        const meta = await sharp(t.png, { limitInputPixels }).metadata();
        if (meta.width === t.width && meta.height === t.height) return { input: t.png, left: t.left, top: t.top, limitInputPixels };
        const fitted = await sharp(t.png, { limitInputPixels })
          .extract({ left: 0, top: 0, width: Math.min(t.width, meta.width!), height: Math.min(t.height, meta.height!) })
          .extend({ right: Math.max(0, t.width - meta.width!), bottom: Math.max(0, t.height - meta.height!), extendWith: 'copy' })
          .png({ compressionLevel: 1 })
          .toBuffer();
        return { input: fitted, left: t.left, top: t.top, limitInputPixels };
      }),
    );
    const { data, info } = await sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } }, limitInputPixels: false })
      .composite(inputs)
      .png(LOSSLESS_PNG)
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, contentType: 'image/png' };
  }

  /** Crops, resizes, sets the density of and encodes a stored image, in that order. */
  async transform(input: Buffer, variant: ImageVariant): Promise<EncodedImage> {
    let pipeline = sharp(input, { limitInputPixels: this.options.maxInputPixels });
    try {
      const meta = await pipeline.metadata();
      const full = { left: 0, top: 0, width: meta.width ?? 0, height: meta.height ?? 0 };
      const rect = variant.crop ? cropRect(variant.crop, full.width, full.height) : full;
      const out = outputSize(rect, variant.width, variant.height);
      const limit = this.options.maxOutputPixels;
      if (out.width * out.height > limit) {
        throw new ValidationError(`width and height ask for ${out.width}x${out.height} pixels; the most this service produces is ${limit} pixels`);
      }
      if (variant.crop) pipeline = pipeline.extract(rect);
      if (variant.width || variant.height) {
        // One dimension alone keeps the aspect ratio; both give exactly that size.
        pipeline = pipeline.resize({ width: variant.width, height: variant.height, fit: variant.width && variant.height ? 'fill' : 'inside' });
      }
      if (variant.dpi) pipeline = pipeline.withMetadata({ density: variant.dpi });
      pipeline = this.encoder(pipeline, variant.format);
      const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, contentType: CONTENT_TYPES[variant.format] };
    } catch (err) {
      if (/pixel limit/i.test((err as Error).message)) {
        throw new ValidationError('The image is larger than this service processes');
      }
      throw err;
    }
  }

  private encoder(pipeline: sharp.Sharp, format: EncodeFormat): sharp.Sharp {
    if (format === 'jpeg') {
      // JPEG has no alpha: flatten onto white, as a browser shows a transparent page.
      return pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: this.options.jpegQuality, mozjpeg: true });
    }
    if (format === 'webp') return pipeline.webp({ quality: this.options.webpQuality });
    // Lossless: the slowest zlib level with adaptive filtering, done once per variant.
    return pipeline.png({ compressionLevel: 9, adaptiveFiltering: true });
  }
}
