// Jumbo images (hcti guides/advanced/jumbo-images.md): rendered in tiles of at most 8,000 x 8,000
// at the requested device_scale and stitched, scaled down only to fit the maxima; and what a
// plain capture past the single-capture limit becomes (scaled down to fit, never repeated).
// The worker's own pieces: ChromiumRenderer.renderTiles, then ImageProcessor.stitchPng.
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { readFragment } from '@pixelfarm/env';
import { ImageProcessor, imagingConfig, type ImageProcessorOptions } from '@pixelfarm/imaging';
import type { CreateImageRequest } from '@pixelfarm/schemas';
import { decodeImage, type DecodedImage } from '../support/decode-image';
import { planCapture, planTiles } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

/** A processor on the configuration's defaults, re-encoding every capture unless told otherwise. */
const processorWith = (options: Partial<ImageProcessorOptions>) => new ImageProcessor({ ...readFragment(imagingConfig, {}, undefined), pngSkipDensity: 2, ...options });

jest.setTimeout(600_000);

describe('jumbo renders', () => {
  let renderer: ChromiumRenderer;
  const processor = processorWith({ maxInputPixels: 50_000_000 });

  beforeAll(async () => {
    renderer = new ChromiumRenderer({
      ...configuredRenderer({ MAX_CAPTURE_SIDE: '2000', JUMBO_TILE_SIZE: '8000', JUMBO_RENDER_TIMEOUT_MS: '500000' }),
      urlAllowlist: [],
      timeoutMs: 20_000,
      maxCaptureHeight: 16_384,
    });
    await renderer.start();
  });
  afterAll(() => renderer?.close());

  async function jumbo(request: CreateImageRequest): Promise<DecodedImage & { tiles: number[][] }> {
    const out = await renderer.renderTiles(planTiles(request));
    const stitched = await processor.stitchPng(out.tiles, out.width, out.height);
    return Object.assign(await decodeImage(stitched.data), { tiles: out.tiles.map((t) => [t.left, t.top, t.width, t.height]) });
  }
  const near = (a: number[], b: number[], tolerance = 12) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);

  it("renders hcti's HTML example in 8,000 px tiles and stitches them seamlessly", async () => {
    // Verbatim from the guide's "HTML render" example.
    const img = await jumbo({
      html: "<div id='big-div' style='width:12000px;height:8100px;background:linear-gradient(45deg,#4f46e5,#ec4899);'></div>",
      jumbo_max_width: 12000,
      jumbo_max_height: 8100,
      selector: '#big-div',
    });
    // device_scale 2 (the html default) would be 24,000 x 16,200: scaled to fit the maxima, keeping the ratio.
    expect([img.width, img.height]).toEqual([12000, 8100]);
    expect(img.tiles).toEqual([
      [0, 0, 8000, 8000],
      [8000, 0, 4000, 8000],
      [0, 8000, 8000, 100],
      [8000, 8000, 4000, 100],
    ]);
    // The gradient runs from #4f46e5 (bottom left) to #ec4899 (top right) across every seam.
    expect(near(img.pixel(0, 8099), [0x4f, 0x46, 0xe5, 255], 20)).toBe(true);
    expect(near(img.pixel(11999, 0), [0xec, 0x48, 0x99, 255], 20)).toBe(true);
    for (const [a, b] of [
      [img.pixel(7999, 4000), img.pixel(8000, 4000)],
      [img.pixel(4000, 7999), img.pixel(4000, 8000)],
      [img.pixel(7999, 7999), img.pixel(8000, 8000)],
    ]) {
      expect(near(a!, b!, 4)).toBe(true);
    }
  });

  it('keeps device_scale when the page fits the maxima, and shows every tile its own part of the page', async () => {
    // 4,500 x 300 CSS px at device_scale 2 is 9,000 x 600: two tiles, split inside the second of three coloured bands.
    const img = await jumbo({
      html: '<div style="display:flex;width:4500px;height:300px"><div style="flex:1;background:#f00"></div><div style="flex:1;background:#0f0"></div><div style="flex:1;background:#00f"></div></div>',
      device_scale: 2,
      jumbo_max_width: 9000,
      jumbo_max_height: 1000,
    });
    expect([img.width, img.height]).toEqual([9000, 600]);
    expect(img.tiles.map((t) => t[2])).toEqual([8000, 1000]);
    expect([img.pixel(10, 300), img.pixel(2990, 300), img.pixel(3010, 300), img.pixel(7999, 300), img.pixel(8000, 300), img.pixel(8999, 599)]).toEqual([
      [255, 0, 0, 255],
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
      [0, 0, 255, 255],
      [0, 0, 255, 255],
    ]);
  });

  it('scales a capture past MAX_CAPTURE_SIDE down to fit without the jumbo fields, keeping its content', async () => {
    // 600 x 3,000 CSS px at device_scale 1 with a 2,000 px single-capture limit: 400 x 2,000.
    const { png } = await renderer.render(planCapture({
      html: '<html><body style="margin:0"><div style="height:1500px;background:#f00"></div><div style="height:1500px;background:#00f"></div></body></html>',
      viewport_width: 600,
      viewport_height: 600,
      full_screen: true,
      device_scale: 1,
    }));
    const img = await decodeImage(png);
    expect([img.width, img.height]).toEqual([400, 2000]);
    expect([img.pixel(200, 10), img.pixel(200, 990), img.pixel(200, 1010), img.pixel(200, 1990)]).toEqual([
      [255, 0, 0, 255],
      [255, 0, 0, 255],
      [0, 0, 255, 255],
      [0, 0, 255, 255],
    ]);
  });
});
