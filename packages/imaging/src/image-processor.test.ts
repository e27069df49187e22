import sharp from 'sharp';
import { ValidationError } from '@pixelfarm/errors';
import { ImageProcessor } from './image-processor';

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
    const processor = new ImageProcessor({ maxInputPixels: 1_000_000 });
    await expect(processor.transform(bomb, { format: 'png', width: 10 })).rejects.toThrow(ValidationError);
    await expect(processor.transform(bomb, { format: 'png', width: 10 })).rejects.toThrow('The image is larger than this service processes');
    await expect(processor.encodePng(bomb)).rejects.toThrow();
    const roomy = new ImageProcessor({ maxInputPixels: 4_000_000 });
    expect((await roomy.transform(bomb, { format: 'png', width: 10 })).width).toBe(10);
  });

  it('encodes JPEG and WebP at the configured quality, PNG losslessly', async () => {
    const input = await noise(200, 100);
    const low = new ImageProcessor({ maxInputPixels: 1e6, jpegQuality: 30, webpQuality: 30 });
    const high = new ImageProcessor({ maxInputPixels: 1e6, jpegQuality: 95, webpQuality: 95 });
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
    const processor = new ImageProcessor({ maxInputPixels: 1e6, maxOutputPixels: 100_000 });
    await expect(processor.transform(input, { format: 'webp', width: 1000 })).rejects.toThrow(/1000x500 pixels; the most this service produces is 100000/);
    expect((await processor.transform(input, { format: 'webp', width: 400 })).height).toBe(200);
  });
});
