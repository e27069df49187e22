// url captures: defaults (device_scale 1, viewport size), css injected into the page,
// full_screen, and headers sent to the url's own origin only. Servers on loopback.
import { RenderInputError } from '@pixelfarm/errors';
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { decodeImage } from '../support/decode-image';
import { expectGolden } from '../support/golden';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

describe('url captures', () => {
  let renderer: ChromiumRenderer;
  let site: LoopbackServer;
  let thirdParty: LoopbackServer;
  const siteHeaders: Array<string | undefined> = [];
  const thirdPartyHeaders: Array<string | undefined> = [];

  beforeAll(async () => {
    thirdParty = await serveOnLoopback((req, res) => {
      thirdPartyHeaders.push(req.headers['x-token'] as string | undefined);
      res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#00f"/></svg>');
    });
    site = await serveOnLoopback((req, res) => {
      siteHeaders.push(req.headers['x-token'] as string | undefined);
      if (req.url === '/silent') return; // never answers (close() ends the socket)
      if (req.url === '/stuck-image') {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<body style="margin:0;background:#0f0"><img src="${site.origin}/silent"></body>`);
        return;
      }
      if (req.url === '/tall') {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<body style="margin:0"><div style="height:300px;background:#0f0"></div></body>');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<body style="margin:0;background:#f00"><img src="${thirdParty.origin}/px.svg"></body>`);
    });
    renderer = new ChromiumRenderer({ ...configuredRenderer(), urlAllowlist: ['127.0.0.1'], timeoutMs: 10_000, maxCaptureHeight: 2000 });
    await renderer.start();
  });
  afterAll(async () => {
    await renderer?.close();
    await site?.close();
    await thirdParty?.close();
  });

  it('captures the viewport at device_scale 1 by default, with css injected', async () => {
    const { png } = await renderer.render(planCapture({ url: `${site.origin}/`, viewport_width: 100, viewport_height: 80, css: 'body{background:#0f0 !important}' }));
    await expectGolden('url-css', png);
    const img = await decodeImage(png);
    expect([img.width, img.height]).toEqual([100, 80]);
    expect(img.pixel(50, 60)).toEqual([0, 255, 0, 255]);
    expect(img.pixel(5, 5)).toEqual([0, 0, 255, 255]);
  });

  it('captures the whole page height with full_screen', async () => {
    const { png } = await renderer.render(planCapture({ url: `${site.origin}/tall`, viewport_width: 100, viewport_height: 100, full_screen: true }));
    await expectGolden('url-full-screen', png);
    const img = await decodeImage(png);
    expect([img.width, img.height]).toEqual([100, 300]);
    expect(img.pixel(50, 250)).toEqual([0, 255, 0, 255]);
  });

  it("sends headers to the url's own origin only", async () => {
    siteHeaders.length = 0;
    thirdPartyHeaders.length = 0;
    await renderer.render(planCapture({ url: `${site.origin}/`, viewport_width: 100, viewport_height: 80, headers: { 'X-Token': 'secret-1' } }));
    expect(siteHeaders).toEqual(['secret-1']);
    expect(thirdPartyHeaders.length).toBeGreaterThan(0);
    expect(thirdPartyHeaders.every((h) => h === undefined)).toBe(true);
  });

  it('fails as the request’s fault, with the browser’s reason, when nothing listens at the url', async () => {
    const closed = await serveOnLoopback(() => undefined);
    const url = `${closed.origin}/`;
    await closed.close();
    const attempt = renderer.render(planCapture({ url, viewport_width: 100, viewport_height: 80 }));
    await expect(attempt).rejects.toBeInstanceOf(RenderInputError);
    // Through the egress proxy a refused connection reaches the browser as an empty error response.
    await expect(attempt).rejects.toThrow(/^The url could not be loaded: net::ERR_[A-Z_]+$/);
  });

  it('fails as the request’s fault when the url does not answer within max_wait_ms', async () => {
    const attempt = renderer.render(planCapture({ url: `${site.origin}/silent`, viewport_width: 100, viewport_height: 80, max_wait_ms: 500 }));
    await expect(attempt).rejects.toBeInstanceOf(RenderInputError);
    await expect(attempt).rejects.toThrow('The url did not answer within 500 ms (max_wait_ms)');
  });

  it('captures a page that answered but whose image never did, once max_wait_ms is spent', async () => {
    // Time enough for the page itself to arrive on a loaded machine; only the image never does.
    const img = await decodeImage((await renderer.render(planCapture({ url: `${site.origin}/stuck-image`, viewport_width: 100, viewport_height: 80, max_wait_ms: 3000 }))).png);
    expect(img.pixel(90, 70)).toEqual([0, 255, 0, 255]);
  });
});
