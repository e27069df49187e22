// hcti's parameter docs, example by example, against the API and a worker (the composition
// `npm start` runs): headers in JSON, form and signed create-and-render encodings
// (parameters/headers.md), identify_as_hcti (parameters/identify_as_hcti.md), a jumbo url
// capture (guides/advanced/jumbo-images.md), max_render_once and storage_destination_id.
// The docs' example.com pages are loopback pages here; everything else is as written.
import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import request from 'supertest';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { decodeImage, sniffFormat } from '../support/decode-image';

jest.setTimeout(300_000);

describe("hcti's parameter examples", () => {
  let stack: InProcessStack;
  let site: LoopbackServer;
  let api: http.RequestListener;
  const seen: { path: string; headers: http.IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    site = await serveOnLoopback((req, res) => {
      if (req.url === '/favicon.ico') return void res.writeHead(404).end();
      seen.push({ path: req.url!, headers: req.headers });
      if (req.url === '/long-marketing-page') {
        // 20,000 CSS px tall: three tiles at device_scale 1, in bands of red, green and blue.
        return void res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end('<body style="margin:0"><div style="height:8000px;background:#f00"></div><div style="height:8000px;background:#0f0"></div><div style="height:4000px;background:#00f"></div></body>');
      }
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<body style="margin:0;background:#0f0">report</body>');
    });
    stack = await startInProcessStack({
      URL_ALLOWLIST: '127.0.0.1',
      RENDER_WAIT_MS: '240000',
      JUMBO_RENDER_TIMEOUT_MS: '240000',
      DESTINATIONS_KEY: randomBytes(32).toString('base64'),
    });
    api = stack.api.handler;
  });
  afterAll(async () => {
    await stack?.close();
    await site?.close();
  });

  const create = (body: object) => request(api).post('/v1/image').set('Authorization', basicAuth()).send(body);
  const lastVisit = (path: string) => [...seen].reverse().find((r) => r.path === path)!.headers;

  it('headers: the JSON example', async () => {
    const res = await create({ url: `${site.origin}/account`, headers: { Cookie: 'session=short-lived-session-value', 'X-Preview-Mode': 'enabled' } });
    expect(res.status).toBe(200);
    const sent = lastVisit('/account');
    expect([sent['cookie'], sent['x-preview-mode']]).toEqual(['session=short-lived-session-value', 'enabled']);
  });

  it('headers: the form example, one headers field per header, split at the first colon', async () => {
    // curl --data-urlencode 'url=…' --data-urlencode 'headers=Cookie:session=short-lived-session-value' --data-urlencode 'headers=X-Preview-Mode:enabled'
    const form = new URLSearchParams();
    form.append('url', `${site.origin}/account-form`);
    form.append('headers', 'Cookie:session=short-lived-session-value');
    form.append('headers', 'X-Preview-Mode:enabled');
    const res = await request(api).post('/v1/image').set('Authorization', basicAuth()).type('form').send(form.toString());
    expect(res.status).toBe(200);
    const sent = lastVisit('/account-form');
    expect([sent['cookie'], sent['x-preview-mode']]).toEqual(['session=short-lived-session-value', 'enabled']);
  });

  it('headers: the create-and-render example, repeated entries signed in their exact order and encoding', async () => {
    // url=https%3A%2F%2Fexample.com%2Fpreview&headers=X-Preview-Mode%3Aenabled&headers=X-Release%3A2026-07
    const query = `url=${encodeURIComponent(`${site.origin}/preview`)}&headers=X-Preview-Mode%3Aenabled&headers=X-Release%3A2026-07`;
    const token = createHmac('sha256', TEST_KEYS.key).update(query).digest('hex');
    const res = await request(api).get(`/v1/image/create-and-render/${TEST_KEYS.id}/${token}?${query}`).buffer(true);
    expect([res.status, sniffFormat(res.body as Buffer)]).toEqual([200, 'png']);
    const sent = lastVisit('/preview');
    expect([sent['x-preview-mode'], sent['x-release']]).toEqual(['enabled', '2026-07']);
    // The same entries in another order are other content: the token no longer matches.
    const swapped = `url=${encodeURIComponent(`${site.origin}/preview`)}&headers=X-Release%3A2026-07&headers=X-Preview-Mode%3Aenabled`;
    expect((await request(api).get(`/v1/image/create-and-render/${TEST_KEYS.id}/${token}?${swapped}`)).status).toBe(401);
  });

  it('headers: additional_header_origins without headers, and restricted names, are 400s that say why', async () => {
    const noHeaders = await create({ url: `${site.origin}/x`, additional_header_origins: ['https://api.example.com'] });
    expect([noHeaders.status, noHeaders.body.message]).toEqual([400, 'additional_header_origins needs headers: it lists other origins that also receive them']);
    const restricted = await create({ url: `${site.origin}/x`, headers: { 'X-Forwarded-For': '1.2.3.4' } });
    expect(restricted.status).toBe(400);
    expect(restricted.body.message).toMatch(/^headers: X-Forwarded-For cannot be set/);
  });

  it('identify_as_hcti: the JSON and form examples add X-HCTI-SCREENSHOT: 1 to the page request', async () => {
    const json = await create({ url: `${site.origin}/report`, identify_as_hcti: true });
    expect(json.status).toBe(200);
    expect(lastVisit('/report')['x-hcti-screenshot']).toBe('1');
    // curl --data-urlencode 'url=…/report' --data 'identify_as_hcti=true'
    const form = await request(api).post('/v1/image').set('Authorization', basicAuth()).type('form').send(`url=${encodeURIComponent(`${site.origin}/report-form`)}&identify_as_hcti=true`);
    expect(form.status).toBe(200);
    expect(lastVisit('/report-form')['x-hcti-screenshot']).toBe('1');
    const plain = await create({ url: `${site.origin}/report-plain` });
    expect(plain.status).toBe(200);
    expect(lastVisit('/report-plain')['x-hcti-screenshot']).toBeUndefined();
  });

  it('jumbo: the URL render example, a long page in tiles at its natural size', async () => {
    const res = await create({ url: `${site.origin}/long-marketing-page`, jumbo_max_width: 2000, jumbo_max_height: 30000, full_screen: true });
    expect(res.status).toBe(200);
    const png = await request(api).get(`/v1/image/${res.body.id}`).buffer(true);
    expect(png.status).toBe(200);
    const img = await decodeImage(png.body as Buffer);
    // The default 1920 px viewport at device_scale 1 fits the maxima: nothing is scaled.
    expect([img.width, img.height]).toEqual([1920, 20000]);
    expect([img.pixel(100, 7999), img.pixel(100, 8000), img.pixel(1900, 15999), img.pixel(1900, 16000), img.pixel(0, 19999)]).toEqual([
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
      [0, 0, 255, 255],
    ]);
  });

  it('jumbo: the documented errors', async () => {
    for (const [fields, message] of [
      [{ jumbo_max_height: 9000 }, 'jumbo_max_width must be present when jumbo_max_height is specified.'],
      [{ jumbo_max_width: 4000, jumbo_max_height: 4000 }, 'jumbo_max_height or jumbo_max_width should be greater than 8000'],
      [{ jumbo_max_width: 80000, jumbo_max_height: 80000 }, 'total jumbo pixel area cannot be greater than 400,000,000.'],
      [{ jumbo_max_width: 9000, jumbo_max_height: 9000, pdf_options: { page_width: '8.5in' } }, 'cannot set pdf_options and jumbo options together'],
    ] as const) {
      const res = await create({ html: '<p>x</p>', ...fields });
      expect([res.status, res.body.message]).toEqual([400, message]);
    }
  });

  it('max_render_once: the image is rendered at creation only; a PDF it asks for is printed then, any other is a 422', async () => {
    const once = await create({ html: '<p>once</p>', max_render_once: true });
    expect(once.status).toBe(200);
    const pdf = await request(api).get(`/v1/image/${once.body.id}.pdf`);
    expect([pdf.status, pdf.body.message]).toEqual([
      422,
      'This image was created with max_render_once: it was rendered once, when created, without a PDF (create it with format pdf or pdf_options to have one printed then)',
    ]);
    // Formats made from the stored render still work: no second render needed.
    expect((await request(api).get(`/v1/image/${once.body.id}.webp?width=50`)).status).toBe(200);
    const withPdf = await create({ html: '<p>once, with its pdf</p>', max_render_once: true, format: 'pdf' });
    expect(withPdf.body.url).toMatch(/\.pdf$/);
    const printed = await request(api).get(`/v1/image/${withPdf.body.id}.pdf`).buffer(true);
    expect([printed.status, sniffFormat(printed.body as Buffer)]).toEqual([200, 'pdf']);
  });

  // The examples with a real destination are in test/api-extra/storage-destination-delivery.test.ts.
  it("storage_destination_id: hcti's placeholder id is not an enabled destination of the account (400 naming it)", async () => {
    const res = await create({ html: '<h1>Saved in my bucket</h1>', storage_destination_id: 'your-storage-destination-id' });
    expect([res.status, res.body.message]).toEqual([400, 'storage_destination_id "your-storage-destination-id" is not an enabled storage destination of this account']);
  });

  it('proxy_id: a 400 naming it when this service has no such proxy', async () => {
    const res = await create({ url: 'https://internal.example.com', proxy_id: 'your-proxy-id' });
    expect([res.status, res.body.message]).toEqual([400, 'proxy_id "your-proxy-id" is neither one of your proxies nor a proxy configured on this service']);
  });
});
