// google_fonts comes from FONTS_CSS_URL (served here by a local server with a real font), and
// block_consent_banners hides consent-management overlays. Checked by decoding pixels.
import fs from 'node:fs';
import { ChromiumRenderer, fontsCssHref } from '@pixelfarm/renderer';
import { decodeImage } from '../support/decode-image';
import { expectGolden } from '../support/golden';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

// A monospaced font: four "i" are as wide as four "W", unlike in any proportional fallback.
const FONT = '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf';

describe('google_fonts and block_consent_banners', () => {
  let server: LoopbackServer;
  let base: string;
  const cssRequests: string[] = [];
  let renderer: ChromiumRenderer;

  beforeAll(async () => {
    server = await serveOnLoopback((req, res) => {
      if (req.url?.startsWith('/css2')) {
        cssRequests.push(...new URL(req.url, 'http://x').searchParams.getAll('family'));
        res.writeHead(200, { 'Content-Type': 'text/css', 'Access-Control-Allow-Origin': '*' });
        res.end(`@font-face{font-family:'Pixel Test';font-weight:400;src:url(${base}/font.ttf) format('truetype')}`);
      } else if (req.url === '/font.ttf') {
        res.writeHead(200, { 'Content-Type': 'font/ttf', 'Access-Control-Allow-Origin': '*' }).end(fs.readFileSync(FONT));
      } else res.writeHead(404).end();
    });
    base = server.origin;
    renderer = new ChromiumRenderer({
      ...configuredRenderer(),
      urlAllowlist: ['127.0.0.1'],
      fontsCssUrl: `${base}/css2`,
      timeoutMs: 10_000,
      maxCaptureHeight: 2000,
    });
    await renderer.start();
  });
  afterAll(async () => {
    await renderer?.close();
    await server?.close();
  });

  it('builds CSS2 API family parameters', () => {
    const href = new URL(fontsCssHref('https://fonts.example/css2', 'Open Sans|Roboto:400,700'));
    expect(href.searchParams.getAll('family')).toEqual(['Open Sans', 'Roboto:wght@400;700']);
  });

  it('loads the named family from FONTS_CSS_URL before capturing', async () => {
    const text = (w: string) => `<span style="display:inline-block;font:40px 'Pixel Test',serif">${w}</span>`;
    const withFont = (await renderer.render(planCapture({ html: text('iiii'), google_fonts: 'Pixel Test:400', device_scale: 1 }))).png;
    await expectGolden('google-fonts', withFont);
    const narrowWith = await decodeImage(withFont);
    const wideWith = await decodeImage((await renderer.render(planCapture({ html: text('WWWW'), google_fonts: 'Pixel Test', device_scale: 1 }))).png);
    const narrowWithout = await decodeImage((await renderer.render(planCapture({ html: text('iiii'), device_scale: 1 }))).png);
    expect(cssRequests).toEqual(expect.arrayContaining(['Pixel Test:wght@400', 'Pixel Test']));
    // With the monospaced web font, "iiii" is as wide as "WWWW"; the serif fallback is far narrower.
    expect(Math.abs(narrowWith.width - wideWith.width)).toBeLessThanOrEqual(1);
    expect(narrowWithout.width).toBeLessThan(narrowWith.width * 0.7);
  });

  it('hides common consent banners only when asked', async () => {
    const page = `<html><body style="margin:0;background:#0f0">
      <div id="onetrust-banner-sdk" style="position:fixed;inset:0;background:#f00"></div>
      <div class="cc-window" style="position:fixed;left:0;right:0;bottom:0;height:30px;background:#00f"></div></body></html>`;
    const shown = await decodeImage((await renderer.render(planCapture({ html: page, viewport_width: 100, viewport_height: 100, device_scale: 1 }))).png);
    expect(shown.pixel(50, 20)).toEqual([255, 0, 0, 255]);
    const hiddenPng = (await renderer.render(planCapture({ html: page, viewport_width: 100, viewport_height: 100, device_scale: 1, block_consent_banners: true }))).png;
    await expectGolden('block-consent-banners', hiddenPng);
    const hidden = await decodeImage(hiddenPng);
    expect(hidden.pixel(50, 20)).toEqual([0, 255, 0, 255]);
    expect(hidden.pixel(50, 90)).toEqual([0, 255, 0, 255]);
  });
});
