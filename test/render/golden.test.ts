// Golden-image suite for the create fields: each case renders with the real renderer, compares
// with a committed reference (pixelmatch, small tolerance) and asserts the pixel or size that
// proves the field took effect (so a field that is ignored fails even if the golden drifted).
// UPDATE_GOLDEN=1 rewrites the references; a missing reference fails the test.
import { ChromiumRenderer } from '@pixelfarm/renderer';
import type { CreateImageRequest } from '@pixelfarm/schemas';
import { decodeImage, type DecodedImage } from '../support/decode-image';
import { expectGolden } from '../support/golden';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

const GREEN: [number, number, number, number] = [0, 255, 0, 255];

const flag = (test: string) =>
  `<div id="f" style="width:40px;height:40px;background:#f00"></div><script>if (${test}) document.getElementById('f').style.background = '#0f0';</script>`;

type Case = [name: string, request: CreateImageRequest, check: (img: DecodedImage, ms: number) => void];

const cases: Case[] = [
  ['css', { html: '<div class="c"></div>', css: '.c{width:30px;height:20px;background:#0f0}', device_scale: 1 }, (img) => {
    expect([img.width, img.height]).toEqual([30, 20]);
    expect(img.pixel(15, 10)).toEqual(GREEN);
  }],
  ['device-scale', { html: '<div style="width:50px;height:30px;background:#00f"></div>', device_scale: 2 }, (img) => {
    expect([img.width, img.height]).toEqual([100, 60]);
  }],
  ['auto-crop-margin-box', { html: '<div style="width:20px;height:10px;margin:5px;background:#00f"></div>', device_scale: 1 }, (img) => {
    expect([img.width, img.height]).toEqual([30, 20]);
    expect(img.pixel(15, 10)).toEqual([0, 0, 255, 255]);
  }],
  ['viewport-document', { html: '<html><body style="margin:0;background:#0f0"></body></html>', viewport_width: 120, viewport_height: 80, device_scale: 1 }, (img) => {
    expect([img.width, img.height]).toEqual([120, 80]);
    expect(img.pixel(119, 79)).toEqual(GREEN);
  }],
  ['selector', { html: '<div style="padding:10px"><b id="t" style="display:inline-block;width:16px;height:8px;background:#0f0"></b></div>', selector: '#t', device_scale: 1 }, (img) => {
    expect([img.width, img.height]).toEqual([16, 8]);
    expect(img.pixel(8, 4)).toEqual(GREEN);
  }],
  ['color-scheme-dark', { html: flag("matchMedia('(prefers-color-scheme: dark)').matches"), color_scheme: 'dark', device_scale: 1 }, (img) => expect(img.pixel(20, 20)).toEqual(GREEN)],
  ['media-type-print', { html: flag("matchMedia('print').matches"), media_type: 'print', device_scale: 1 }, (img) => expect(img.pixel(20, 20)).toEqual(GREEN)],
  ['timezone', { html: flag('new Date(Date.UTC(2020, 0, 1, 12)).getHours() === 21'), timezone: 'Asia/Tokyo', device_scale: 1 }, (img) => expect(img.pixel(20, 20)).toEqual(GREEN)],
  ['viewport-touch', { html: flag("navigator.maxTouchPoints > 0 && matchMedia('(pointer: coarse)').matches"), viewport_touch: true, device_scale: 1 }, (img) => expect(img.pixel(20, 20)).toEqual(GREEN)],
  // Only a mobile viewport honours <meta name=viewport>: the layout is then 200 CSS px wide.
  ['viewport-mobile', { html: `<meta name="viewport" content="width=200">${flag('document.documentElement.clientWidth === 200')}`, viewport_mobile: true, viewport_width: 80, viewport_height: 120, device_scale: 1 }, (img) => {
    expect([img.width, img.height]).toEqual([80, 120]);
    // The 40px flag (after the 8px body margin) is drawn at 80/200 of its size, and green.
    expect(img.pixel(8, 8)).toEqual(GREEN);
  }],
  ['viewport-landscape', { html: '<html><body style="margin:0;background:#0f0"></body></html>', viewport_width: 60, viewport_height: 100, viewport_landscape: true, device_scale: 1 }, (img) => {
    expect([img.width, img.height]).toEqual([100, 60]);
  }],
  ['full-screen', { html: '<html><body style="margin:0"><div style="height:300px;background:linear-gradient(#0f0,#00f)"></div></body></html>', viewport_width: 100, viewport_height: 100, full_screen: true, device_scale: 1 }, (img) => {
    expect([img.width, img.height]).toEqual([100, 300]);
  }],
  ['transparent-background', { html: '<div style="width:20px;height:20px;padding:10px"><div style="width:20px;height:20px;background:#0f0"></div></div>', transparent_background: true, device_scale: 1 }, (img) => {
    expect(img.pixel(2, 2)[3]).toBe(0);
    expect(img.pixel(20, 20)).toEqual(GREEN);
  }],
  // The system's emoji font (Twemoji, the default, is twemoji.test.ts's).
  ['emoji-in-colour', { html: '<span style="display:inline-block;font-size:48px;line-height:1">😀</span>', device_scale: 1, disable_twemoji: true }, (img) => {
    // Noto Color Emoji draws a yellow face: some pixel is strongly yellow, not grey.
    let yellow = false;
    for (let y = 0; y < img.height && !yellow; y++) for (let x = 0; x < img.width; x++) {
      const [r, g, b] = img.pixel(x, y);
      if (r > 200 && g > 150 && b < 80) { yellow = true; break; }
    }
    expect(yellow).toBe(true);
  }],
  ['ms-delay', { html: '<div id="f" style="width:40px;height:40px;background:#f00"></div><script>setTimeout(() => f.style.background = "#0f0", 300)</script>', ms_delay: 800, device_scale: 1 }, (img) => expect(img.pixel(20, 20)).toEqual(GREEN)],
  ['render-when-ready', { html: '<div id="f" style="width:40px;height:40px;background:#f00"></div><script>setTimeout(() => { f.style.background = "#0f0"; ScreenshotReady(); }, 400)</script>', render_when_ready: true, device_scale: 1 }, (img) => expect(img.pixel(20, 20)).toEqual(GREEN)],
  ['hcti-ready-now', { html: '<div id="f" style="width:40px;height:40px;background:#f00"></div><script>setTimeout(() => { f.style.background = "#0f0"; document.body.insertAdjacentHTML("beforeend", "<i id=HCTIReadyNow></i>"); }, 400)</script>', render_when_ready: true, device_scale: 1 }, (img) => expect(img.pixel(20, 20)).toEqual(GREEN)],
  ['max-wait-caps-waiting', { html: '<div id="f" style="width:40px;height:40px;background:#f00"></div><script>setTimeout(() => f.style.background = "#0f0", 5000)</script>', render_when_ready: true, max_wait_ms: 600, device_scale: 1 }, (img, ms) => {
    // Never ready: captured what was there once max_wait_ms ran out.
    expect(img.pixel(20, 20)).toEqual([255, 0, 0, 255]);
    expect(ms).toBeLessThan(3000);
  }],
];

describe('golden images per create field', () => {
  let renderer: ChromiumRenderer;
  beforeAll(async () => {
    renderer = new ChromiumRenderer({ ...configuredRenderer(), urlAllowlist: [], timeoutMs: 15_000, maxCaptureHeight: 4000 });
    await renderer.start();
  });
  afterAll(() => renderer?.close());

  it.each(cases)('%s', async (name, request, check) => {
    const started = Date.now();
    const { png } = await renderer.render(planCapture(request));
    const ms = Date.now() - started;
    check(await decodeImage(png), ms);
    await expectGolden(name, png);
  });
});
