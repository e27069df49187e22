// Static documents (no scripts) reuse a pooled page without navigating: scripting is off and
// the next static document replaces the previous one in place. These tests try to see one job
// from the next across that shortcut, on a one-page pool so every job lands on the same page:
// what a static document leaves on the document (fonts it declared, colour scheme, scroll
// offset) must not change how the next one renders; a script in a page leased as static must
// not run; and scripted jobs before or after still get a fresh document. Traffic stays on
// loopback.
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { BrowserHost, ChromiumRenderer, PagePool } from '@pixelfarm/renderer';
import { decodeImage } from '../support/decode-image';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const GREEN = [0, 255, 0, 255];
const RED = [255, 0, 0, 255];
// Served as a web font: a monospaced face that a fallback would not look like.
const FONT = fs.readFileSync('/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf');

describe('static documents on a reused page', () => {
  let renderer: ChromiumRenderer;
  let server: LoopbackServer;
  let origin: string;

  beforeAll(async () => {
    server = await serveOnLoopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'font/ttf', 'Access-Control-Allow-Origin': '*' }).end(FONT);
    });
    origin = server.origin;
    renderer = new ChromiumRenderer({ ...configuredRenderer(), executablePath: CHROMIUM, urlAllowlist: ['127.0.0.1'], timeoutMs: 15_000, maxCaptureHeight: 4000, poolSize: 1 });
    await renderer.start();
  });
  afterAll(async () => {
    await renderer?.close();
    await server?.close();
  });

  /** The PNG bytes as captured: byte-equal captures show that nothing of an earlier job changed the render. */
  const capture = async (html: string, extra: Record<string, unknown> = {}) =>
    (await renderer.render(planCapture({ html, device_scale: 1, viewport_width: 200, viewport_height: 100, ...extra }))).png;
  const render = async (html: string, extra: Record<string, unknown> = {}) => decodeImage(await capture(html, extra));
  const square = (colour: string) => `<style>body{margin:0}</style><div style="width:200px;height:100px;background:${colour}"></div>`;

  it('a static job renders as it would on a fresh page, whatever static job came before', async () => {
    // B asks for a font family it does not declare: it must fall back, as on a fresh page.
    const b = `<style>body{margin:0;font:40px Leaky, serif}</style><p style="margin:0">Hello</p>`;
    await render('<script>document.title = "navigate me"</script>'); // scripted: the page is wiped after it
    const fresh = await capture(b);
    // A declares and uses that family, sets a dark colour scheme and scrolls.
    const a = `<style>@font-face{font-family:Leaky;src:url(${origin}/font.ttf)}:root{color-scheme:dark}body{font:40px Leaky}</style>
      <p>Hello</p><div style="height:3000px"></div><input autofocus>`;
    await render(a, { ms_delay: 100 });
    const after = await capture(b);
    expect(after.equals(fresh)).toBe(true);
    // Control: B with the font declared does look different, so a leaked font would show.
    const withFont = await capture(`<style>@font-face{font-family:Leaky;src:url(${origin}/font.ttf)}</style>${b}`);
    expect(withFont.equals(fresh)).toBe(false);
  });

  it('a static job after one that scrolled without any request renders as on a fresh page', async () => {
    // No request, so only what A's document may do to the scroll offset (which document.open
    // keeps) decides whether the page is wiped after the job. A scrolls itself by snapping, which
    // also undoes a plain scrollTo(0, 0) while its styles are there. B is tall too: a short
    // document would clamp a kept offset to 0.
    const b = `<style>body{margin:0;background:#f00}</style><div style="height:100px;background:#0f0"></div><div style="height:3000px"></div>`;
    const fresh = await capture(b);
    expect((await decodeImage(fresh)).pixel(5, 95)).toEqual(GREEN);
    // Several times: how late a snap lands varies from run to run.
    for (let i = 0; i < 5; i++) {
      await render(`<style>html{scroll-snap-type:y mandatory}body{margin:0}</style><div style="height:3000px"></div><div style="height:100px;scroll-snap-align:start"></div>`);
      const after = await capture(b);
      expect((await decodeImage(after)).pixel(5, 95)).toEqual(GREEN);
      expect(after.equals(fresh)).toBe(true);
    }
  });

  it('a static job after a scripted one with a live timer renders only itself', async () => {
    await render(`${square('#00f')}<script>setInterval(() => { document.body.innerHTML = '<div style="width:200px;height:100px;background:#f00"></div>'; }, 5);</script>`);
    expect((await render(square('#0f0'), { ms_delay: 100 })).pixel(5, 5)).toEqual(GREEN);
  });

  it('noscript content stays hidden (such documents run with scripting on)', async () => {
    const image = await render(`<style>body{margin:0}</style><noscript><div style="width:200px;height:100px;background:#f00"></div></noscript>${square('#0f0')}`);
    expect(image.pixel(5, 5)).toEqual(GREEN);
  });
});

describe('a page leased for a static document', () => {
  it('keeps the document for the next job unless it may have scrolled, and empties it once idle', async () => {
    const host = new BrowserHost({ ...configuredRenderer(), launchTimeoutMs: configuredRenderer().leaseTimeoutMs, executablePath: CHROMIUM });
    const pool = new PagePool({ host, size: 1, emptyIdleAfterMs: 300 });
    const inputs = (page: Page) => page.evaluate(() => document.querySelectorAll('input').length);
    const write = async (html: string) => {
      const pooled = await pool.acquire('static');
      await pooled.cdp.send('Emulation.setDeviceMetricsOverride', { width: 100, height: 50, deviceScaleFactor: 1, mobile: false });
      await pooled.page.setContent(html);
      return pooled;
    };
    try {
      const first = await write(`<input>`);
      pool.release(first, true, false);
      // Straight after: the same page, its document not emptied (that would cost a frame and a script context).
      const second = await pool.acquire('static');
      expect(second.page).toBe(first.page);
      expect(await inputs(second.page)).toBe(1);
      pool.release(second, true, false);

      const scrolled = await write(`<div style="height:3000px"></div><input autofocus>`);
      await scrolled.page.waitForFunction(() => window.scrollY > 0); // control: the document scrolled itself
      pool.release(scrolled, true, true);
      const next = await pool.acquire('static');
      expect(await next.page.evaluate(() => window.scrollY)).toBe(0);
      expect(await inputs(next.page)).toBe(0);
      pool.release(next, true, false);

      // Idle past the delay: emptied, so nothing on it can keep drawing frames.
      pool.release(await write(`<input>`), true, false);
      await new Promise((r) => setTimeout(r, 900));
      const idle = await pool.acquire('static');
      expect(idle.page).toBe(first.page);
      expect(await inputs(idle.page)).toBe(0);
      pool.release(idle, true);
    } finally {
      await pool.close();
      await host.close();
    }
  });

  it('does not run scripts, even if one slipped past the static test', async () => {
    const host = new BrowserHost({ ...configuredRenderer(), launchTimeoutMs: configuredRenderer().leaseTimeoutMs, executablePath: CHROMIUM });
    const pool = new PagePool({ host, size: 1 });
    try {
      const pooled = await pool.acquire('static');
      await pooled.cdp.send('Emulation.setDeviceMetricsOverride', { width: 100, height: 50, deviceScaleFactor: 1, mobile: false });
      await pooled.page.setContent(`<body style="margin:0;background:#0f0"><script>document.body.style.background = '#f00';</script></body>`);
      const { data } = await pooled.cdp.send('Page.captureScreenshot', { format: 'png' });
      expect((await decodeImage(Buffer.from(data, 'base64'))).pixel(50, 25)).toEqual(GREEN);
      pool.release(pooled, true);

      // The same page leased for a scripted job runs scripts again, in a fresh document.
      const again = await pool.acquire('scripted');
      expect(again.page).toBe(pooled.page);
      await again.page.setContent(`<body style="margin:0;background:#0f0"><script>document.body.style.background = '#f00';</script></body>`);
      const shot = await again.cdp.send('Page.captureScreenshot', { format: 'png' });
      expect((await decodeImage(Buffer.from(shot.data, 'base64'))).pixel(50, 25)).toEqual(RED);
      pool.release(again, true);
    } finally {
      await pool.close();
      await host.close();
    }
  });
});
