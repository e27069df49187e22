// Pages whose own scripts break what the capture relies on: they removed their root element or
// body, or closed their window. Each is the request's fault, so it must end in a capture or a
// RenderInputError (a 400 through the API), never an internal failure that the queue retries
// and the API finally reports as 503. The renderer keeps rendering normally afterwards.
import { RenderInputError } from '@pixelfarm/errors';
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { decodeImage } from '../support/decode-image';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

const WHITE = [255, 255, 255, 255];
const GREEN = [0, 255, 0, 255];

describe('pages that break themselves', () => {
  let renderer: ChromiumRenderer;

  beforeAll(async () => {
    renderer = new ChromiumRenderer({ ...configuredRenderer(), urlAllowlist: [], timeoutMs: 10_000, maxCaptureHeight: 2000, poolSize: 1 });
    await renderer.start();
  });
  afterAll(async () => {
    await renderer?.close();
  });

  const stillRenders = async () => {
    const img = await decodeImage((await renderer.render(planCapture({ html: '<div style="width:20px;height:10px;background:#0f0"></div>', device_scale: 1 }))).png);
    expect([img.width, img.height]).toEqual([20, 10]);
    expect(img.pixel(10, 5)).toEqual(GREEN);
  };

  it.each([
    ['its root element', 'document.documentElement.remove()'],
    ['its body', 'document.body.remove()'],
  ])('a snippet that removed %s is captured as the empty viewport it shows', async (_what, script) => {
    // A snippet without a viewport is cropped to its content: here there is none to crop to.
    const img = await decodeImage((await renderer.render(planCapture({ html: `<b style="font-size:90px;color:#0f0">x</b><script>${script}</script>`, device_scale: 1 }))).png);
    expect([img.width, img.height]).toEqual([1920, 1080]);
    expect(img.pixel(20, 20)).toEqual(WHITE);
    await stillRenders();
  });

  it('a full_screen page without a root element is captured at the viewport height', async () => {
    const img = await decodeImage(
      (await renderer.render(planCapture({ html: '<div style="height:900px;background:#0f0"></div><script>document.documentElement.remove()</script>', viewport_width: 100, viewport_height: 80, device_scale: 1, full_screen: true }))).png,
    );
    expect([img.width, img.height]).toEqual([100, 80]);
    expect(img.pixel(50, 40)).toEqual(WHITE);
    await stillRenders();
  });

  it.each([
    ['at once', '<b>x</b><script>window.close()</script>'],
    ['while the capture waits', '<b>x</b><script>setTimeout(() => window.close(), 100)</script>'],
  ])('a page that closes its window %s fails as the request’s fault', async (_when, html) => {
    const attempt = renderer.render(planCapture({ html, viewport_width: 100, viewport_height: 80, device_scale: 1, ms_delay: 1000 }));
    await expect(attempt).rejects.toBeInstanceOf(RenderInputError);
    await expect(attempt).rejects.toThrow('The page closed itself (window.close()) before it could be captured');
    await stillRenders();
  });
});
