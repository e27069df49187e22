// Emoji as hcti draws them (parameters/disable_twemoji, guides/debugging/emoji): Twemoji by
// default for html and templates, the system's emoji font (Noto Color Emoji here) with
// disable_twemoji; url captures get Twemoji only with disable_twemoji: false. Told apart by their
// pixels: Twemoji's 😀 face is the #FFCC4D of its SVG, a colour Noto's glyph does not use.
import type http from 'node:http';
import request from 'supertest';
import { basicAuth } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { decodeImage, type DecodedImage } from '../support/decode-image';

jest.setTimeout(120_000);

const TWEMOJI_FACE = [0xff, 0xcc, 0x4d];
const GRIN = '\u{1F600}';

/** Pixels within 2 of `rgb` on every channel. */
function count(img: DecodedImage, rgb: number[]): number {
  let n = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const px = img.pixel(x, y);
      if (rgb.every((c, i) => Math.abs(px[i]! - c) <= 2)) n++;
    }
  }
  return n;
}

/** The `n` most frequent colours other than white, as hex. */
function topColours(img: DecodedImage, n: number): string[] {
  const seen = new Map<string, number>();
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const hex = img.pixel(x, y).slice(0, 3).map((c) => c.toString(16).padStart(2, '0')).join('');
      if (hex !== 'ffffff') seen.set(hex, (seen.get(hex) ?? 0) + 1);
    }
  }
  return [...seen].sort((a, b) => b[1] - a[1]).slice(0, n).map(([hex]) => hex);
}

describe('Twemoji', () => {
  let stack: InProcessStack;
  let site: LoopbackServer;
  let api: http.RequestListener;
  const visits: string[] = [];

  beforeAll(async () => {
    site = await serveOnLoopback((req, res) => {
      visits.push(req.url!);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<body style="margin:0"><div style="font-size:64px;line-height:1">${GRIN}</div></body>`);
    });
    stack = await startInProcessStack({ URL_ALLOWLIST: '127.0.0.1' });
    api = stack.api.handler;
  });
  afterAll(async () => {
    await stack?.close();
    await site?.close();
  });

  const render = async (body: object) => {
    const res = await request(api).post('/v1/image').set('Authorization', basicAuth()).send({ device_scale: 1, ...body });
    expect([res.status, res.body.message]).toEqual([200, undefined]);
    return decodeImage((await request(api).get(`/v1/image/${res.body.id}`).buffer(true)).body);
  };
  const emoji = (style = '') => `<div style="font-size:64px;line-height:1;display:inline-block${style}">${GRIN}</div>`;

  it('html: Twemoji by default, the system emoji font with disable_twemoji', async () => {
    const twemoji = await render({ html: emoji() });
    const native = await render({ html: emoji(), disable_twemoji: true });
    const noto = await render({ html: emoji(";font-family:'Noto Color Emoji'"), disable_twemoji: true });
    // A 64 px Twemoji face is mostly its yellow; Noto's glyph has none of it.
    expect(count(twemoji, TWEMOJI_FACE)).toBeGreaterThan(1500);
    expect(count(native, TWEMOJI_FACE)).toBe(0);
    // Without Twemoji the glyph is Noto Color Emoji's: its main colours are those of Noto asked by name.
    const reference = topColours(noto, 8);
    // A glyph was drawn: an empty list would pass the check below on a blank image.
    expect(topColours(native, 3)).toHaveLength(3);
    expect(topColours(native, 3).every((c) => reference.includes(c))).toBe(true);
    expect(topColours(twemoji, 3).some((c) => reference.includes(c))).toBe(false);
  });

  it('templates: Twemoji by default, off with disable_twemoji saved with the template', async () => {
    const on = await request(api).post('/v1/template').set('Authorization', basicAuth()).send({ html: `<div style="font-size:64px;line-height:1;display:inline-block">{{e}}</div>`, device_scale: 1 });
    const off = await request(api).post('/v1/template').set('Authorization', basicAuth()).send({ html: `<div style="font-size:64px;line-height:1;display:inline-block">{{e}}</div>`, device_scale: 1, disable_twemoji: true });
    expect(count(await render({ template_id: on.body.template_id, template_values: { e: GRIN } }), TWEMOJI_FACE)).toBeGreaterThan(1500);
    const offImage = await render({ template_id: off.body.template_id, template_values: { e: GRIN } });
    expect(count(offImage, TWEMOJI_FACE)).toBe(0);
    // ...and the emoji is there, as the font's glyph.
    expect(topColours(offImage, 3)).toHaveLength(3);
  });

  it('url captures: the page as it is unless disable_twemoji is false; the images never come from the network', async () => {
    const asIs = await render({ url: `${site.origin}/as-is`, viewport_width: 100, viewport_height: 80 });
    const withTrue = await render({ url: `${site.origin}/true`, viewport_width: 100, viewport_height: 80, disable_twemoji: true });
    const injected = await render({ url: `${site.origin}/false`, viewport_width: 100, viewport_height: 80, disable_twemoji: false });
    expect(count(asIs, TWEMOJI_FACE)).toBe(0);
    expect(count(withTrue, TWEMOJI_FACE)).toBe(0);
    // Not blank: the page's emoji is drawn, as the font's glyph.
    expect([topColours(asIs, 3).length, topColours(withTrue, 3).length]).toEqual([3, 3]);
    expect(count(injected, TWEMOJI_FACE)).toBeGreaterThan(1500);
    // The page itself was the only request of each capture: no image was fetched for the emoji.
    expect(visits.filter((v) => v !== '/favicon.ico')).toEqual(['/as-is', '/true', '/false']);
  });

  it('keeps the documented img.emoji class: a page\'s own rule resizes the images', async () => {
    const plain = await render({ html: emoji() });
    const doubled = await render({ html: emoji(), css: 'img.emoji { height: 2em; width: 2em; }' });
    expect(count(doubled, TWEMOJI_FACE)).toBeGreaterThan(3.5 * count(plain, TWEMOJI_FACE));
    // Text with no emoji is left alone, and an emoji in an attribute or a script is not text.
    const none = await render({ html: `<p title="${GRIN}" style="font-size:20px">plain</p>` });
    expect(count(none, TWEMOJI_FACE)).toBe(0);
  });
});
