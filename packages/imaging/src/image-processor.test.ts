import sharp from 'sharp';
import { ValidationError } from '@pixelfarm/errors';
import { readFragment } from '@pixelfarm/env';
import { ImageProcessor, type ImageProcessorOptions } from './image-processor';
import { imagingConfig } from './imaging.config';

/** A processor on the configuration's defaults, re-encoding every capture unless told otherwise. */
const processorWith = (options: Partial<ImageProcessorOptions>) => new ImageProcessor({ ...readFragment(imagingConfig, {}, undefined), pngSkipDensity: 2, ...options });

/** A noisy image, so lossy quality makes a difference in size. */
async function noise(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919 + ((i / 3) | 0) * 104729) % 251;
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe('ImageProcessor', () => {
  it('refuses to decode more pixels than maxInputPixels (pixel bombs), as a 400', async () => {
    // 2000x2000 of one colour: a few KB of PNG that would decode to 16 MB.
    const bomb = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#123456' } }).png().toBuffer();
    expect(bomb.length).toBeLessThan(100_000);
    const processor = processorWith({ maxInputPixels: 1_000_000 });
    await expect(processor.transform(bomb, { format: 'png', width: 10 })).rejects.toThrow(ValidationError);
    await expect(processor.transform(bomb, { format: 'png', width: 10 })).rejects.toThrow('The image is larger than this service processes');
    await expect(processor.encodePng(bomb)).rejects.toThrow();
    const roomy = processorWith({ maxInputPixels: 4_000_000 });
    expect((await roomy.transform(bomb, { format: 'png', width: 10 })).width).toBe(10);
  });

  it('encodes JPEG and WebP at the configured quality, PNG losslessly', async () => {
    const input = await noise(200, 100);
    const low = processorWith({ maxInputPixels: 1e6, jpegQuality: 30, webpQuality: 30 });
    const high = processorWith({ maxInputPixels: 1e6, jpegQuality: 95, webpQuality: 95 });
    for (const format of ['jpeg', 'webp'] as const) {
      const a = await low.transform(input, { format });
      const b = await high.transform(input, { format });
      expect(a.contentType).toBe(`image/${format}`);
      expect(a.data.length).toBeLessThan(b.data.length * 0.8);
    }
    const png = await low.transform(input, { format: 'png' });
    const [before, after] = await Promise.all([sharp(input).raw().toBuffer(), sharp(png.data).raw().toBuffer()]);
    expect(after.equals(before)).toBe(true);
  });

  it('refuses a variant above maxOutputPixels before doing the work', async () => {
    const input = await noise(100, 50);
    const processor = processorWith({ maxInputPixels: 1e6, maxOutputPixels: 100_000 });
    await expect(processor.transform(input, { format: 'webp', width: 1000 })).rejects.toThrow(/1000x500 pixels; the most this service produces is 100000/);
    expect((await processor.transform(input, { format: 'webp', width: 400 })).height).toBe(200);
  });
});

describe('ImageProcessor.stitchPng', () => {
  const tile = (width: number, height: number, background: string) => sharp({ create: { width, height, channels: 4, background } }).png().toBuffer();

  it('places each tile at its offset, and trims or pads a tile a pixel off its planned size', async () => {
    const processor = processorWith({ maxInputPixels: 100 });
    const tiles = [
      { left: 0, top: 0, width: 30, height: 20, png: await tile(30, 20, '#ff0000') },
      { left: 30, top: 0, width: 15, height: 20, png: await tile(16, 20, '#00ff00') }, // one too wide
      { left: 0, top: 20, width: 30, height: 5, png: await tile(30, 4, '#0000ff') }, // one too short
      { left: 30, top: 20, width: 15, height: 5, png: await tile(15, 5, '#ffff00') },
    ];
    const out = await processor.stitchPng(tiles, 45, 25);
    expect([out.width, out.height, out.contentType]).toEqual([45, 25, 'image/png']);
    const { data } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * 45 + x) * 4, (y * 45 + x) * 4 + 4)];
    expect([px(29, 19), px(30, 0), px(44, 19), px(0, 24), px(29, 24), px(44, 24)]).toEqual([
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
      [0, 0, 255, 255],
      [255, 255, 0, 255],
    ]);
  });

  it('refuses a tile far larger than planned (not a pixel off: a bomb)', async () => {
    const processor = processorWith({ maxInputPixels: 100 });
    const big = await tile(300, 300, '#ff0000');
    await expect(processor.stitchPng([{ left: 0, top: 0, width: 30, height: 30, png: big }], 30, 30)).rejects.toThrow();
  });
});

describe('ImageProcessor.encodePng (the lossless re-encode of a capture)', () => {
  const processor = processorWith({ maxInputPixels: 10_000_000, pngSkipDensity: 0.5 });
  const pixels = (png: Buffer) => sharp(png).raw().toBuffer();

  /** A card-like capture: a smooth gradient with flat bands, as a browser's fast PNG stores it (quickest zlib level). */
  async function gradientCapture(width: number, height: number): Promise<Buffer> {
    const raw = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 3;
        raw[o] = (x * 255) / width;
        raw[o + 1] = y % 64 < 32 ? 40 : 200;
        raw[o + 2] = (y * 255) / height;
      }
    }
    return sharp(raw, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  }

  /** A photo-like capture: pixel noise, which no lossless encode shrinks by much. */
  async function noisyCapture(width: number, height: number): Promise<Buffer> {
    const raw = Buffer.alloc(width * height * 3);
    let x = 2463534242; // xorshift32: noise without the short periods of a linear congruential generator
    for (let i = 0; i < raw.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      raw[i] = x & 0xff;
    }
    return sharp(raw, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  }

  it('re-encodes a card smaller with the same pixels', async () => {
    const capture = await gradientCapture(1200, 630);
    const out = await processor.encodePng(capture);
    expect(out.data.length).toBeLessThan(capture.length * 0.5);
    expect({ width: out.width, height: out.height }).toEqual({ width: 1200, height: 630 });
    expect((await pixels(out.data)).equals(await pixels(capture))).toBe(true);
  });

  it('keeps a photo-like capture, denser than pngSkipDensity, as the browser encoded it', async () => {
    const capture = await noisyCapture(1200, 630);
    const full = await processorWith({ maxInputPixels: 10_000_000 }).encodePng(capture);
    // What the skip gives up: a full encode saves something here, but under a tenth.
    expect(full.data.length).toBeLessThan(capture.length);
    expect(full.data.length).toBeGreaterThan(capture.length * 0.9);
    const out = await processor.encodePng(capture);
    expect(out.data).toBe(capture);
    expect({ width: out.width, height: out.height }).toEqual({ width: 1200, height: 630 });
  });

  it('never answers with more bytes than it was given', async () => {
    const dense = await noisyCapture(400, 100);
    const out = await processorWith({ maxInputPixels: 10_000_000 }).encodePng(dense);
    expect(out.data.length).toBeLessThanOrEqual(dense.length);
    expect((await pixels(out.data)).equals(await pixels(dense))).toBe(true);
  });
});
