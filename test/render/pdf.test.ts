// GET /v1/image/:id.pdf: printed by the browser from the stored request with pdf_options,
// stored on first request and served from storage after. Page sizes read from the PDF itself.
import { inflateSync } from 'node:zlib';
import request from 'supertest';
import { RenderInputError } from '@pixelfarm/errors';
import { ChromiumRenderer } from '@pixelfarm/renderer';
import type { CreateImageRequest } from '@pixelfarm/schemas';
import { imageKeys } from '@pixelfarm/storage';
import type { ApiApp } from '../../apps/api/src/app';
import { basicAuth } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { sniffFormat } from '../support/decode-image';
import { planPrint } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

/** The first page's MediaBox [x0 y0 x1 y1] in points. */
function mediaBox(pdf: Buffer): number[] {
  const m = /\/MediaBox\s*\[\s*([\d.\s-]+)\]/.exec(pdf.toString('latin1'));
  if (!m) throw new Error('no MediaBox in the PDF');
  return m[1]!.trim().split(/\s+/).map(Number);
}

describe('PDF output', () => {
  let api: ApiApp;

  let stack: InProcessStack;

  beforeAll(async () => {
    stack = await startInProcessStack();
    api = stack.api;
  });
  afterAll(() => stack?.close());

  const create = (body: object) => request(api.handler).post('/v1/image').set('Authorization', basicAuth()).send(body);

  it('prints a letter page by default, stores it and serves the same bytes again', async () => {
    const { body } = await create({ html: '<h1 style="color:#c00">Invoice 42</h1>' });
    const first = await request(api.handler).get(`/v1/image/${body.id}.pdf`).buffer(true);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(sniffFormat(first.body)).toBe('pdf');
    expect(mediaBox(first.body)).toEqual([0, 0, 612, 792]);
    expect(await api.storage.exists(imageKeys.pdf(body.id))).toBe(true);
    const again = await request(api.handler).get(`/v1/image/${body.id}.pdf`).buffer(true);
    expect(again.body.equals(first.body)).toBe(true);
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  it('honours pdf_options page size with units', async () => {
    const { body } = await create({ html: '<p>ticket</p>', pdf_options: { page_width: '10cm', page_height: '50mm', margins: ['1cm', 0, '1cm', 0], scale: 1.5, print_background: true } });
    const pdf = await request(api.handler).get(`/v1/image/${body.id}.pdf`).buffer(true);
    const [x0, y0, x1, y1] = mediaBox(pdf.body);
    expect([x0, y0]).toEqual([0, 0]);
    // 10 cm = 283.46 pt, 50 mm = 141.73 pt (Chromium rounds to whole points).
    expect(Math.abs(x1! - 283.46)).toBeLessThan(1.5);
    expect(Math.abs(y1! - 141.73)).toBeLessThan(1.5);
  });

  it('answers 404 for unknown or deleted images and 400 for bad pdf_options', async () => {
    expect((await request(api.handler).get('/v1/image/0190b1d2-0000-7000-8000-000000000000.pdf')).status).toBe(404);
    const { body } = await create({ html: '<p>gone</p>' });
    await request(api.handler).get(`/v1/image/${body.id}.pdf`);
    expect((await request(api.handler).delete(`/v1/image/${body.id}`).set('Authorization', basicAuth())).status).toBe(202);
    expect((await request(api.handler).get(`/v1/image/${body.id}.pdf`)).status).toBe(404);
    const bad = await create({ html: '<p>x</p>', pdf_options: { page_width: '10 parsecs' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/pdf_options.page_width/);
    const scale = await create({ html: '<p>x</p>', pdf_options: { scale: 5 } });
    expect(scale.body.message).toMatch(/pdf_options.scale must be between 0.1 and 2/);
    // Pages Chromium cannot print are refused at create, not by every GET of the .pdf failing.
    const huge = await create({ html: '<p>x</p>', format: 'pdf', pdf_options: { page_width: 100_000, page_height: 100_000 } });
    expect([huge.status, huge.body.message]).toEqual([400, 'pdf_options.page_width is larger than 200 inches']);
    const margins = await create({ html: '<p>x</p>', pdf_options: { margins: ['1000in', '1000in', '1000in', '1000in'] } });
    expect([margins.status, margins.body.message]).toEqual([400, 'pdf_options.margins leave no room for content on the page']);
  });
});

describe('PDF printing refused by Chromium', () => {
  it('is the request’s fault (a RenderInputError), for requests stored before the schema checked pages', async () => {
    const renderer = new ChromiumRenderer({ ...configuredRenderer(), urlAllowlist: [], timeoutMs: 10_000, maxCaptureHeight: 2000 });
    try {
      const print = (pdf_options: CreateImageRequest['pdf_options']) => renderer.renderPdf(planPrint({ html: '<p>x</p>', pdf_options })).then((printed) => printed.pdf);
      expect(sniffFormat(await print({ margins: ['1in', '1in', '1in', '1in'] }))).toBe('pdf'); // the control
      const refused = print({ margins: ['1in', '4.25in', '1in', '4.25in'] });
      await expect(refused).rejects.toBeInstanceOf(RenderInputError);
      await expect(refused).rejects.toThrow('The PDF could not be printed with these pdf_options: invalid print parameters: content area is empty');
    } finally {
      await renderer.close();
    }
  });
});

/** The fill colours (r g b rg) drawn by the PDF's content streams, which Chromium deflates. */
function fillColours(pdf: Buffer): Set<string> {
  const text = pdf.toString('latin1');
  const colours = new Set<string>();
  for (const m of text.matchAll(/stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = text.indexOf('endstream', start);
    let body: string;
    try {
      body = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a deflated stream (fonts, images)
    }
    for (const c of body.matchAll(/([\d.]+) ([\d.]+) ([\d.]+) rg/g)) colours.add(c.slice(1, 4).join(' '));
  }
  return colours;
}

describe('PDF printing uses the same plan as captures', () => {
  it('applies the request’s color_scheme and media_type (the print path used to drop them)', async () => {
    const renderer = new ChromiumRenderer({ ...configuredRenderer(), urlAllowlist: [], timeoutMs: 10_000, maxCaptureHeight: 2000 });
    const html =
      '<style>div{width:100px;height:100px;background:#f00}@media (prefers-color-scheme: dark){div{background:#00f}}@media screen{div.m{background:#0f0}}</style><div></div><div class="m"></div>';
    try {
      const light = fillColours((await renderer.renderPdf(planPrint({ html }))).pdf);
      expect(light.has('1 0 0')).toBe(true); // red: light scheme, and print media leaves .m red too
      expect(light.has('0 0 1') || light.has('0 1 0')).toBe(false);
      const dark = fillColours((await renderer.renderPdf(planPrint({ html, color_scheme: 'dark' }))).pdf);
      expect(dark.has('0 0 1')).toBe(true);
      expect(dark.has('1 0 0')).toBe(false);
      const screen = fillColours((await renderer.renderPdf(planPrint({ html, media_type: 'screen' }))).pdf);
      expect(screen.has('0 1 0')).toBe(true);
    } finally {
      await renderer.close();
    }
  });
});
