// Every request type of the official client (@html-css-to-image/client 0.9.0) with every field
// set, sent through the client itself (test/vendor, run in a child process: it is an ES module)
// to the API and a worker. Each field is applied or refused with a 400 that says why: with
// everything set, the documented refusal comes first (pdf_options with jumbo, which hcti refuses
// too); an unknown storage_destination_id is a 400 naming it; otherwise every request is
// accepted, and storage_destination_id (a destination made through the API, on a second S3
// server standing for the customer's bucket) puts the image in that bucket.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { basicAuth } from '../support/test-env';
import { runOfficialClient, type ClientCall as Call, type ClientResult as Result } from '../support/run-official-client';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { startForwardProxy, type ForwardProxy } from '../support/forward-proxy';
import { sniffFormat } from '../support/decode-image';
import { startS3Server, type TestS3Server } from '../support/s3-server';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';

jest.setTimeout(300_000);


describe('the official client, every field of every request type', () => {
  let stack: InProcessStack;
  let site: LoopbackServer;
  let assets: LoopbackServer;
  let fonts: LoopbackServer;
  let proxy: ForwardProxy;
  let server: http.Server;
  let base: string;
  const visits: { path: string; headers: http.IncomingHttpHeaders }[] = [];
  let bucket: TestS3Server;
  let bucketClient: S3Client;
  let destinationId: string;
  const bucketHas = async (key: string) => {
    try {
      const res = await bucketClient.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: key }));
      return sniffFormat(Buffer.from(await res.Body!.transformToByteArray()));
    } catch {
      return null;
    }
  };

  beforeAll(async () => {
    assets = await serveOnLoopback((req, res) => {
      visits.push({ path: `assets${req.url}`, headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    });
    site = await serveOnLoopback((req, res) => {
      visits.push({ path: req.url!, headers: req.headers });
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(`<body style="margin:0"><div id="card" style="width:200px;height:100px;background:#0a0">page</div><img src="${assets.origin}/a.svg"><script>ScreenshotReady()</script></body>`);
    });
    fonts = await serveOnLoopback((_req, res) => res.writeHead(200, { 'Content-Type': 'text/css' }).end('/* no font files in this test */'));
    proxy = await startForwardProxy({ username: 'render', password: 'secret' });
    bucket = await startS3Server({ bucket: 'client-renders' });
    bucketClient = new S3Client({ endpoint: bucket.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: bucket });
    stack = await startInProcessStack({
      DESTINATIONS_KEY: randomBytes(32).toString('base64'),
      URL_ALLOWLIST: '127.0.0.1',
      FONTS_CSS_URL: `${fonts.origin}/css2`,
      PROXIES: `corp=http://render:secret@127.0.0.1:${proxy.port}`,
      RENDER_WAIT_MS: '120000',
    });
    // The client needs a real port: the API's handler on one of ours.
    server = http.createServer(stack.api.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const destination = await request(base)
      .post('/v1/storage-destinations')
      .set('Authorization', basicAuth())
      .send({ name: 'client test', endpoint: bucket.endpoint, region: 'us-east-1', force_path_style: true, bucket: bucket.bucket, access_key_id: bucket.accessKeyId, secret_access_key: bucket.secretAccessKey });
    expect(destination.status).toBe(200);
    destinationId = destination.body.id;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await stack?.close();
    bucketClient?.destroy();
    await Promise.all([site?.close(), assets?.close(), fonts?.close(), proxy?.close(), bucket?.stop()]);
  });

  /** Runs the calls through the official client, in a child process. */
  const viaClient = (calls: Call[]) => runOfficialClient(base, calls) as Promise<(Result | string)[]>;

  // Every field of BaseCreateImageRequest.
  const every = () => ({
    format: 'png',
    selector: '#card',
    device_scale: 1,
    viewport_height: 300,
    viewport_width: 400,
    max_wait_ms: 2000,
    ms_delay: 10,
    render_when_ready: true,
    max_render_once: true,
    dedupe_duration_s: 0,
    disable_twemoji: true,
    color_scheme: 'dark',
    timezone: 'Europe/Paris',
    viewport_mobile: true,
    viewport_touch: true,
    viewport_landscape: true,
    media_type: 'screen',
    proxy_id: 'corp',
    storage_destination_id: destinationId,
    jumbo_max_width: 9000,
    jumbo_max_height: 1000,
    transparent_background: true,
    pdf_options: { print_background: true, scale: 1, margins: { top: 10, right: { value: 0.5, unit: 'in' }, bottom: 10, left: 10 }, page_height: { value: 11, unit: 'in' }, page_width: 816 },
  });
  const html = () => ({
    ...every(),
    html: '<div id="card" style="width:200px;height:100px;background:#0a0">card</div><script>ScreenshotReady()</script>',
    css: '#card { color: #fff }',
    google_fonts: ['Roboto', 'Open Sans'],
  });
  const url = () => ({
    ...every(),
    url: `${site.origin}/page`,
    css: '#card { color: #fff }',
    headers: { Authorization: 'Bearer short-lived-token', 'X-Preview-Mode': 'enabled' },
    additional_header_origins: [assets.origin],
    include_headers_on_subrequests: true,
    identify_as_hcti: true,
    full_screen: true,
    block_consent_banners: true,
  });
  const without = <T extends Record<string, unknown>>(fields: T, ...names: string[]) => Object.fromEntries(Object.entries(fields).filter(([k]) => !names.includes(k)));
  const fetchImage = (u: string) => request(base).get(new URL(u).pathname + new URL(u).search).buffer(true);

  it('createImage (html and url): all fields give the documented refusals, then are accepted', async () => {
    const unknownDestination = { storage_destination_id: 'your-storage-destination-id' };
    const [htmlAll, urlAll, htmlUnknown, urlUnknown, htmlJumbo, urlJumbo, htmlPdf, urlPdf] = (await viaClient([
      { call: 'createImage', type: 'html_css', init: html() },
      { call: 'createImage', type: 'url', init: url() },
      { call: 'createImage', type: 'html_css', init: { ...without(html(), 'pdf_options'), ...unknownDestination } },
      { call: 'createImage', type: 'url', init: { ...without(url(), 'pdf_options'), ...unknownDestination } },
      { call: 'createImage', type: 'html_css', init: without(html(), 'pdf_options') },
      { call: 'createImage', type: 'url', init: without(url(), 'pdf_options') },
      { call: 'createImage', type: 'html_css', init: without(html(), 'jumbo_max_width', 'jumbo_max_height') },
      { call: 'createImage', type: 'url', init: without(url(), 'jumbo_max_width', 'jumbo_max_height') },
    ])) as Result[];
    for (const r of [htmlAll, urlAll]) expect([r!.success, r!.statusCode, r!.message]).toEqual([false, 400, 'cannot set pdf_options and jumbo options together']);
    for (const r of [htmlUnknown, urlUnknown]) {
      expect([r!.success, r!.statusCode, r!.message]).toEqual([false, 400, 'storage_destination_id "your-storage-destination-id" is not an enabled storage destination of this account']);
    }
    for (const r of [htmlJumbo, urlJumbo, htmlPdf, urlPdf]) expect([r!.success, r!.message]).toEqual([true, undefined]);
    for (const r of [htmlJumbo, urlJumbo]) {
      const png = await fetchImage(r!.url!);
      expect([png.status, sniffFormat(png.body as Buffer)]).toEqual([200, 'png']);
      expect(await bucketHas(`${r!.id}.png`)).toBe('png');
    }
    // pdf_options: the destination's base object is the PDF (hcti's key layout).
    for (const r of [htmlPdf, urlPdf]) expect(await bucketHas(`${r!.id}.pdf`)).toBe('pdf');
    // max_render_once with pdf_options: the PDF was printed when the image was created.
    for (const r of [htmlPdf, urlPdf]) {
      const doc = await fetchImage(`${r!.url}.pdf`); // format png: the url has no extension
      expect([doc.status, sniffFormat(doc.body as Buffer)]).toEqual([200, 'pdf']);
    }
    // The url request's headers and identify_as_hcti reached the page; proxy_id carried its traffic.
    const page = visits.filter((v) => v.path === '/page');
    expect(page.length).toBeGreaterThan(0);
    expect(page.every((v) => v.headers['authorization'] === 'Bearer short-lived-token' && v.headers['x-hcti-screenshot'] === '1')).toBe(true);
    expect(visits.filter((v) => v.path === 'assets/a.svg').every((v) => v.headers['x-preview-mode'] === 'enabled')).toBe(true);
    expect(proxy.seen.some((r) => r.method === 'CONNECT' && r.target === `127.0.0.1:${new URL(site.origin).port}`)).toBe(true);
  });

  it('createImage (templated), generateTemplatedImageUrl and generateCreateAndRenderUrl', async () => {
    const template = await request(base)
      .post('/v1/template')
      .set('Authorization', basicAuth())
      .send({ html: '<div id="card" style="width:120px;height:60px;background:#00a">{{title}}</div>', name: 'client test' });
    expect(template.status).toBe(201);
    const { template_id, template_version } = template.body;
    const init = { template_id, template_version, template_values: { title: 'Launch', tags: ['a', 'b'] }, format: 'jpg' };
    const [created, signedTemplate, signedAll] = await viaClient([
      { call: 'createImage', type: 'templated', init },
      { call: 'generateTemplatedImageUrl', init },
      { call: 'generateCreateAndRenderUrl', init: url() },
    ]);
    expect([(created as Result).success, (created as Result).url]).toEqual([true, expect.stringMatching(/\.jpg$/)]);
    const jpg = await fetchImage((created as Result).url!);
    expect([jpg.status, sniffFormat(jpg.body as Buffer)]).toEqual([200, 'jpeg']);
    const fromTemplateUrl = await fetchImage(signedTemplate as string);
    expect([fromTemplateUrl.status, sniffFormat(fromTemplateUrl.body as Buffer)]).toEqual([200, 'jpeg']);
    // Signed create-and-render: every field but those the client leaves out (format, pdf_options, dedupe_duration_s).
    expect(new URL(signedAll as string).searchParams.get('storage_destination_id')).toBe(destinationId);
    expect(new URL(signedAll as string).searchParams.getAll('headers')).toEqual(['Authorization:Bearer short-lived-token', 'X-Preview-Mode:enabled']);
    const rendered = await fetchImage(signedAll as string);
    expect([rendered.status, sniffFormat(rendered.body as Buffer)]).toEqual([200, 'png']);
  });

  it('createImageBatch with default_options, then deleteImage and deleteImageBatch', async () => {
    // Jumbo in one variation, pdf_options in the other: the defaults carry every other field.
    const defaults = without(html(), 'pdf_options', 'html', 'jumbo_max_width', 'jumbo_max_height');
    const [batch] = (await viaClient([
      {
        call: 'createImageBatch',
        type: 'html_css',
        variations: [without(html(), 'pdf_options'), without(html(), 'jumbo_max_width', 'jumbo_max_height')],
        defaults,
      },
    ])) as Result[];
    expect([batch!.success, batch!.message]).toEqual([true, undefined]);
    const ids = batch!.images!.map((i) => i.id);
    expect(ids).toHaveLength(2);
    // default_options carry storage_destination_id: both images are in the bucket (the second as its PDF).
    expect([await bucketHas(`${ids[0]}.png`), await bucketHas(`${ids[1]}.pdf`)]).toEqual(['png', 'pdf']);
    const [one, many] = (await viaClient([
      { call: 'deleteImage', id: ids[0] },
      { call: 'deleteImageBatch', ids: [ids[1]] },
    ])) as Result[];
    expect([one!.success, many!.success]).toEqual([true, true]);
    for (const id of ids) expect((await request(base).get(`/v1/image/${id}`)).status).toBe(404);
  });
});
