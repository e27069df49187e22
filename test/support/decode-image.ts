// Decodes an image the way a user would check it: format, size and pixel colours.
import sharp from 'sharp';

export interface DecodedImage {
  format: string;
  width: number;
  height: number;
  channels: number;
  density?: number;
  /** RGBA of the pixel at (x, y). */
  pixel(x: number, y: number): [number, number, number, number];
}

export async function decodeImage(data: Buffer): Promise<DecodedImage> {
  const meta = await sharp(data).metadata();
  const { data: raw, info } = await sharp(data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    format: meta.format ?? 'unknown',
    width: info.width,
    height: info.height,
    channels: meta.channels ?? 0,
    density: meta.density,
    pixel(x, y) {
      const i = (y * info.width + x) * 4;
      return [raw[i]!, raw[i + 1]!, raw[i + 2]!, raw[i + 3]!];
    },
  };
}

/** Magic bytes of each format, as a user's file tool would sniff them. */
export function sniffFormat(data: Buffer): 'png' | 'jpeg' | 'webp' | 'pdf' | 'unknown' {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  return 'unknown';
}
