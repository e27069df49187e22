// The only sharp user: decodes stored PNGs and encodes the variants clients ask for.
// Library-wide sharp settings are applied here, once.
import sharp from 'sharp';
import { ValidationError } from '@pixelfarm/errors';

export type EncodeFormat = 'png' | 'jpeg' | 'webp';

export interface TransformRequest {
  format: EncodeFormat;
  width?: number;
  height?: number;
}

export interface ImageProcessorOptions {
  /** Pixel-bomb guard: inputs with more pixels are refused. */
  maxInputPixels: number;
  /** JPEG quality 1..100. Default 85. */
  jpegQuality?: number;
  /** WebP quality 1..100. Default 85. */
  webpQuality?: number;
}

export interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
  contentType: string;
}

const CONTENT_TYPES: Record<EncodeFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

export class ImageProcessor {
  constructor(private readonly options: ImageProcessorOptions) {
    // libvips' operation cache only helps repeated identical operations, which variants never are.
    sharp.cache(false);
  }

  async inspect(input: Buffer): Promise<{ width: number; height: number; format: string }> {
    const meta = await sharp(input, { limitInputPixels: this.options.maxInputPixels }).metadata();
    return { width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? 'unknown' };
  }

  /**
   * Final encode of a capture: Chromium's fast PNG (optimizeForSpeed) is lightly compressed;
   * this recompresses it losslessly and reports the size.
   */
  async encodePng(input: Buffer): Promise<EncodedImage> {
    const { data, info } = await sharp(input, { limitInputPixels: this.options.maxInputPixels })
      .png({ compressionLevel: 6, adaptiveFiltering: false })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, contentType: 'image/png' };
  }

  async transform(input: Buffer, request: TransformRequest): Promise<EncodedImage> {
    let pipeline = sharp(input, { limitInputPixels: this.options.maxInputPixels });
    if (request.width || request.height) {
      // One dimension alone keeps the aspect ratio; both give exactly that size.
      pipeline = pipeline.resize({ width: request.width, height: request.height, fit: request.width && request.height ? 'fill' : 'inside' });
    }
    if (request.format === 'jpeg') {
      // JPEG has no alpha: flatten onto white, as a browser shows a transparent page.
      pipeline = pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: this.options.jpegQuality ?? 85, mozjpeg: true });
    } else if (request.format === 'webp') {
      pipeline = pipeline.webp({ quality: this.options.webpQuality ?? 85 });
    } else {
      pipeline = pipeline.png({ compressionLevel: 9, adaptiveFiltering: true });
    }
    try {
      const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, contentType: CONTENT_TYPES[request.format] };
    } catch (err) {
      if (/pixel limit/i.test((err as Error).message)) {
        throw new ValidationError('The image is larger than this service processes');
      }
      throw err;
    }
  }
}
