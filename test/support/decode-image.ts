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

/**
 * Horizontal resolution (dpi) recorded in an image's EXIF block (XResolution, tag 0x011A):
 * where WebP keeps density, since it has no density field of its own.
 */
export async function exifDpi(data: Buffer): Promise<number | undefined> {
  const exif = (await sharp(data).metadata()).exif;
  if (!exif) return undefined;
  const le = exif.indexOf(Buffer.from('II*\0', 'latin1'));
  const be = exif.indexOf(Buffer.from('MM\0*', 'latin1'));
  const tiff = le >= 0 ? le : be;
  if (tiff < 0) return undefined;
  const little = le >= 0;
  const u16 = (o: number) => (little ? exif.readUInt16LE(tiff + o) : exif.readUInt16BE(tiff + o));
  const u32 = (o: number) => (little ? exif.readUInt32LE(tiff + o) : exif.readUInt32BE(tiff + o));
  const ifd = u32(4);
  for (let i = 0; i < u16(ifd); i++) {
    const entry = ifd + 2 + i * 12;
    if (u16(entry) === 0x011a) {
      const at = u32(entry + 8);
      return u32(at) / u32(at + 4);
    }
  }
  return undefined;
}
