// Open Graph images: /v1/og-configs replayed with the exact requests of the Terraform provider's
// og_config resource (TestOGConfigLifecycle, TestOGValidation) and the Go client's management
// package (its struct order and nulls: every default option is sent, null when unset), with
// the answers checked as they parse them. Then the public /v1/og/{domain_id}/{path} against a
// loopback site (opened by URL_ALLOWLIST) in real Chromium: the page's metadata chooses what is
// captured, the second request is served from storage without the site seeing anything, a
// templated configuration fills its template from the page, and unknown domains are a 404.
import { createHash } from 'node:crypto';
import http from 'node:http';
import request from 'supertest';
import { eventually } from '../support/eventually';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { decodeImage } from '../support/decode-image';

const OTHER = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
const TOOL_HEADERS = { 'User-Agent': 'HCTIGo/1.0.0 HCTITerraform/test', Accept: 'application/json', 'Content-Type': 'application/json' };
/** OGDefaultImageOptions' fields in the Go client's order: it sends each one, null when unset. */
const OPTION_NAMES = [
  'request_overrides', 'css', 'device_scale', 'max_wait_ms', 'ms_delay', 'render_when_ready', 'selector', 'viewport_height', 'viewport_width',
  'disable_twemoji', 'color_scheme', 'timezone', 'block_consent_banners', 'identify_as_hcti', 'headers', 'additional_header_origins',
  'include_headers_on_subrequests', 'viewport_mobile', 'viewport_landscape', 'viewport_touch', 'media_type', 'proxy_id', 'storage_destination_id',
  'transparent_background',
];
const goOptions = (set: Record<string, unknown>) => Object.fromEntries(OPTION_NAMES.map((n) => [n, set[n] ?? null]));

describe('Open Graph images: configurations in hcti shape, and the public image of each page', () => {
  let stack: InProcessStack;
  let site: http.Server;
  let origin: string;
  const hits: string[] = [];
  /** What /versioned shows: its background, and its hcti:content_version. */
  const versioned = { color: '#ff0000', version: '1' };

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      // The browser's own favicon request is not the page's.
      if (req.url !== '/favicon.ico') hits.push(req.url!);
      const head = (metas: string) => `<!doctype html><html><head><title>Plain title</title>${metas}</head>`;
      if (req.url === '/blog/hello') {
        // The page asks for its card element only.
        return void res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end(`${head('<meta property="og:title" content="Hello"><meta property="hcti:selector" content="#card">')}<body style="margin:0;background:#f00"><div id="card" style="margin:40px;width:300px;height:150px;background:#00f"></div></body></html>`);
      }
      if (req.url === '/versioned') {
        return void res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end(`${head(`<meta property="hcti:content_version" content="${versioned.version}">`)}<body style="margin:0;background:${versioned.color}"></body></html>`);
      }
      if (req.url === '/launch') {
        return void res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end(`${head('<meta name="html:tv:accent" content="#00ff00"><meta property="og:description" content="A launch">')}<body>Launch</body></html>`);
      }
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not found</h1>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as import('node:net').AddressInfo).port}`;
    stack = await startInProcessStack({
      URL_ALLOWLIST: '127.0.0.1',
      // The replay writes more than hcti's 20 a minute; the limit's own test is test/management/permissions.test.ts.
      MANAGEMENT_WRITES_PER_MINUTE: '1000',
      MANAGEMENT_READS_PER_MINUTE: '1000',
    });
  });

  afterAll(async () => {
    await stack?.close();
    site?.closeAllConnections();
    await new Promise((resolve) => site?.close(resolve));
  });

  const send = (method: 'get' | 'post' | 'delete', url: string, body?: unknown, auth = basicAuth()) => {
    const req = request(stack.api.handler)[method](url).set(TOOL_HEADERS).set('Authorization', auth);
    return body !== undefined ? req.send(JSON.stringify(body)) : req;
  };
  const template = async (html: string, options: Record<string, unknown> = {}) => {
    const res = await request(stack.api.handler).post('/v1/template').set('Authorization', basicAuth()).send({ html, ...options });
    expect(res.status).toBe(201);
    return res.body as { template_id: string; template_version: number };
  };
  /** What the Go client's OGConfig.validateResponse demands. */
  const parsesAsOgConfig = (c: Record<string, unknown>) => {
    expect(Object.keys(c).sort()).toEqual(
      ['additional_header_origins', 'base_url', 'config_type', 'created_at', 'default_options', 'description', 'domain_id', 'enabled', 'extract_values', 'headers', 'id', 'name', 'optimization_mode', 'refresh_interval_s', 'template_id', 'template_values_mapping', 'template_version', 'updated_at'],
    );
    expect(c.id).toMatch(/^og-[0-9a-f-]{36}$/);
    expect(c.domain_id).toMatch(/^[0-9a-z]{20}$/);
    expect(['html_css', 'templated']).toContain(c.config_type);
    if (c.config_type === 'templated') expect(c.template_id).toMatch(/^t-/);
    for (const at of [c.created_at, c.updated_at]) expect(new Date(at as string).toISOString()).toBe(at);
  };

  describe("the Terraform provider's og_config lifecycle (TestOGConfigLifecycle)", () => {
    let id: string;
    let domain: string;
    const common = { name: '  Website cards  ', description: null, base_url: 'https://example.com/', disabled: false };

    it('creates an html_css configuration: name trimmed, origin without the slash, defaults filled', async () => {
      const res = await send('post', '/v1/og-configs', { config_type: 'html_css', ...common, default_options: null, extract_values: false });
      expect(res.status).toBe(200);
      parsesAsOgConfig(res.body);
      expect(res.body).toMatchObject({ config_type: 'html_css', name: 'Website cards', base_url: 'https://example.com', optimization_mode: 'post_process', refresh_interval_s: 86400, enabled: true, extract_values: false, template_id: null, template_version: null, template_values_mapping: null, headers: null, additional_header_origins: null });
      // hcti answers an options object even for null, include_headers_on_subrequests as false (the provider's normalisation relies on both).
      expect(res.body.default_options).toEqual({ ...goOptions({}), include_headers_on_subrequests: false });
      expect(res.headers['ratelimit-policy']).toBe('"og-config:write";q=1000;w=60');
      ({ id, domain_id: domain } = res.body);
    });

    it('replaces it with styled options and extract_values, every option sent as the Go client sends them', async () => {
      const options = goOptions({ css: 'body { color: red }', viewport_width: 1200, viewport_height: 630, device_scale: 1, ms_delay: 0, headers: { Authorization: 'Bearer test-secret-😀' }, additional_header_origins: ['https://assets.example.com'] });
      const res = await send('post', `/v1/og-configs/${id}`, { config_type: 'html_css', ...common, default_options: options, extract_values: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, domain_id: domain, extract_values: true });
      expect(res.body.default_options).toEqual({ ...options, include_headers_on_subrequests: false });
      const read = await send('get', `/v1/og-configs/${id}`);
      expect(read.body.default_options.headers).toEqual({ Authorization: 'Bearer test-secret-😀' });
      expect(read.headers['ratelimit-policy']).toBe('"og-config:read";q=1000;w=60');
    });

    it('turns it into a templated configuration with mappings and headers, then pins a version with empty lists', async () => {
      const t = await template('<div style="width:200px;height:100px;background:{{accent}}">{{headline}}</div>', { viewport_width: 200, viewport_height: 100, device_scale: 1 });
      const templated = await send('post', `/v1/og-configs/${id}`, {
        config_type: 'templated',
        ...common,
        template_id: t.template_id,
        template_version: null,
        template_values_mapping: [
          { template_key: 'headline', meta_key: 'og:title', fallback: null },
          { template_key: 'summary', meta_key: null, fallback: 'descriptions' },
        ],
        headers: { Authorization: 'Bearer template-secret' },
        additional_header_origins: ['https://metadata.example.com'],
      });
      expect(templated.status).toBe(200);
      parsesAsOgConfig(templated.body);
      expect(templated.body).toMatchObject({ config_type: 'templated', domain_id: domain, default_options: null, template_id: t.template_id, template_version: null, headers: { Authorization: 'Bearer template-secret' } });
      expect(templated.body.template_values_mapping[0]).toEqual({ template_key: 'headline', meta_key: 'og:title', fallback: null });
      const pinned = await send('post', `/v1/og-configs/${id}`, {
        config_type: 'templated',
        ...common,
        optimization_mode: 'set_viewport',
        refresh_interval_s: 1800,
        template_id: t.template_id,
        template_version: t.template_version,
        template_values_mapping: [],
        headers: {},
        additional_header_origins: [],
      });
      expect(pinned.body).toMatchObject({ template_version: t.template_version, template_values_mapping: null, headers: null, additional_header_origins: null, optimization_mode: 'set_viewport', refresh_interval_s: 1800 });
      const back = await send('post', `/v1/og-configs/${id}`, { config_type: 'html_css', ...common, default_options: null, extract_values: false });
      expect(back.body).toMatchObject({ config_type: 'html_css', template_id: null, headers: null, domain_id: domain });
    });

    it('deletes with a 204, reads a 404 after, and a repeated delete succeeds', async () => {
      expect((await send('delete', `/v1/og-configs/${id}`)).status).toBe(204);
      expect((await send('get', `/v1/og-configs/${id}`)).status).toBe(404);
      expect((await send('delete', `/v1/og-configs/${id}`)).status).toBe(204);
    });

    it('refuses what TestOGValidation refuses, with a 400 naming the field', async () => {
      const html = { config_type: 'html_css', ...common };
      const cases: [unknown, string][] = [
        [{ ...html, config_type: 'unknown' }, 'config_type must be one of html_css, templated'],
        [{ ...html, template_id: 't-test' }, 'Unknown field for this config_type: template_id'],
        [{ config_type: 'templated', ...common }, 'template_id is required'],
        [{ config_type: 'templated', ...common, template_id: 't-test', extract_values: false }, 'Unknown field for this config_type: extract_values'],
        [{ ...html, default_options: goOptions({ viewport_width: 1200 }) }, 'default_options: viewport_width and viewport_height go together'],
        [{ ...html, default_options: goOptions({ ms_delay: 4294967296 }) }, 'default_options.ms_delay must be between 0 and 20000'],
        [{ ...html, default_options: goOptions({ include_headers_on_subrequests: true }) }, 'default_options.include_headers_on_subrequests requires at least one header'],
        [{ config_type: 'templated', ...common, template_id: 't-test', template_values_mapping: [{ template_key: 'title', meta_key: 'og:title', fallback: 'titles' }] }, 'template_values_mapping[0] must have exactly one of meta_key or fallback'],
        [{ ...html, base_url: 'https://example.com/path' }, 'base_url must be an origin, without a path, query or fragment'],
        [{ ...html, base_url: 'http://example.com' }, 'base_url must be an https:// origin (http is allowed only for a host URL_ALLOWLIST opens)'],
        [{ ...html, base_url: 'https://10.1.2.3' }, 'base_url: the address 10.1.2.3 is refused by the egress policy (private, loopback or reserved; URL_ALLOWLIST can open it)'],
        [{ ...html, refresh_interval_s: 60 }, 'refresh_interval_s must be between 1800 and 31536000'],
      ];
      for (const [body, message] of cases) {
        const res = await send('post', '/v1/og-configs', body);
        expect([res.status, res.body.message]).toEqual([400, message]);
      }
      const missing = await send('post', '/v1/og-configs', { config_type: 'templated', ...common, template_id: 't-00000000-0000-4000-8000-000000000000' });
      expect([missing.status, missing.body.message]).toEqual([404, 'template_id "t-00000000-0000-4000-8000-000000000000" is not a template of this account']);
    });
  });

  describe("the Go client's requests", () => {
    it('creates from TestOGVariantsAndDefaults (no optimization_mode, no refresh_interval_s), lists in pages, refuses a second config for one origin', async () => {
      const ids: string[] = [];
      for (const host of ['a.example.com', 'b.example.com', 'c.example.com']) {
        const res = await send('post', '/v1/og-configs', {
          config_type: 'html_css',
          name: 'social',
          description: null,
          base_url: `https://${host}`,
          disabled: false,
          default_options: goOptions({ ms_delay: 0, transparent_background: false }),
          extract_values: false,
        });
        expect(res.status).toBe(200);
        expect(res.body.default_options).toMatchObject({ ms_delay: 0, transparent_background: false, device_scale: null });
        ids.push(res.body.id);
      }
      const again = await send('post', '/v1/og-configs', { config_type: 'html_css', name: 'again', description: null, base_url: 'https://A.example.com:443', disabled: false, default_options: null, extract_values: false });
      expect([again.status, again.body.message]).toEqual([409, `https://a.example.com has an OG configuration already (${ids[0]}): one configuration per website origin`]);
      const first = await send('get', '/v1/og-configs?count=2');
      first.body.data.forEach(parsesAsOgConfig);
      expect(first.body.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
      const second = await send('get', `/v1/og-configs?count=2&page_start=${encodeURIComponent(first.body.pagination.next_page_start)}`);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[0] })], pagination: { next_page_start: null } });
      expect((await send('get', `/v1/og-configs/${ids[0]}`, undefined, OTHER)).status).toBe(404);
      expect((await send('get', '/v1/og-configs', undefined, OTHER)).body.data).toEqual([]);
      for (const id of ids) await send('delete', `/v1/og-configs/${id}`);
    });
  });

  describe('the public image URL (real Chromium)', () => {
    const og = (path: string) => request(stack.api.handler).get(path).buffer(true);

    it("renders a page's image as its metadata asks, then serves it from storage without touching the site", async () => {
      const created = await send('post', '/v1/og-configs', { config_type: 'html_css', name: 'Blog cards', description: null, base_url: origin, disabled: false, default_options: null, extract_values: true });
      expect(created.status).toBe(200);
      const domain = created.body.domain_id as string;
      hits.length = 0;
      const first = await og(`/v1/og/${domain}/blog/hello?utm_source=feed`);
      expect([first.status, first.headers['content-type'], first.headers['cache-control']]).toEqual([200, 'image/png', 'public, max-age=86400']);
      const img = await decodeImage(first.body as Buffer);
      // hcti:selector on the page chose the 300 × 150 card of the 1200 × 630 page.
      expect([img.width, img.height, img.pixel(150, 75), img.pixel(5, 5)]).toEqual([300, 150, [0, 0, 255, 255], [0, 0, 255, 255]]);
      // Once for its metadata, once by the browser; the query string never reached the site.
      expect(hits).toEqual(['/blog/hello', '/blog/hello']);
      const second = await og(`/v1/og/${domain}/blog/hello?v=2`);
      expect(second.status).toBe(200);
      expect(Buffer.compare(second.body as Buffer, first.body as Buffer)).toBe(0);
      expect(hits).toHaveLength(2);
      // A path the site does not have is a 404 too, read once and never rendered or stored:
      // the URL is public, so made-up paths must not cost the account renders.
      const before = (await stack.api.storage.list('')).length;
      const missing = await og(`/v1/og/${domain}/no/such/page`);
      expect([missing.status, missing.body.message]).toEqual([404, 'The site has no page at "/no/such/page"; no image is made for it']);
      expect(hits.slice(2)).toEqual(['/no/such/page']);
      expect((await stack.api.storage.list('')).length).toBe(before);
      // Disabled, then deleted: the URL answers 404.
      await send('post', `/v1/og-configs/${created.body.id}`, { config_type: 'html_css', name: 'Blog cards', description: null, base_url: origin, disabled: true, default_options: null, extract_values: true });
      expect((await og(`/v1/og/${domain}/blog/hello`)).status).toBe(404);
      await send('delete', `/v1/og-configs/${created.body.id}`);
      expect((await og(`/v1/og/${domain}/blog/hello`)).status).toBe(404);
    });

    it("fills a templated configuration's template from the page: html:tv: values and mappings", async () => {
      const t = await template('<div style="width:200px;height:100px;background:{{accent}}">{{summary}}</div>', { viewport_width: 200, viewport_height: 100, device_scale: 1 });
      const created = await send('post', '/v1/og-configs', {
        config_type: 'templated',
        name: 'Launch cards',
        description: null,
        base_url: origin,
        disabled: false,
        template_id: t.template_id,
        template_version: null,
        template_values_mapping: [{ template_key: 'summary', meta_key: null, fallback: 'descriptions' }],
        headers: null,
        additional_header_origins: null,
      });
      expect(created.status).toBe(200);
      const res = await og(`/v1/og/${created.body.domain_id}/launch`);
      expect(res.status).toBe(200);
      const img = await decodeImage(res.body as Buffer);
      expect([img.width, img.height, img.pixel(190, 90)]).toEqual([200, 100, [0, 255, 0, 255]]);
      await send('delete', `/v1/og-configs/${created.body.id}`);
    });

    it('after the refresh interval answers the image in hand and checks the page in the background, rendering again only for a new content version', async () => {
      const created = await send('post', '/v1/og-configs', {
        config_type: 'html_css', name: 'Versioned', description: null, base_url: origin, disabled: false, refresh_interval_s: 1800,
        default_options: goOptions({ viewport_width: 120, viewport_height: 60 }), extract_values: false,
      });
      const url = `/v1/og/${created.body.domain_id}/versioned`;
      const entryKey = `og-images/${created.body.domain_id}/${createHash('sha256').update('/versioned').digest('hex')}.json`;
      const entry = async () => JSON.parse((await stack.api.storage.get(entryKey))!.toString('utf8')) as { image_id: string; checked_at: number };
      /** As if the refresh interval had passed since the last check. */
      const age = async () => {
        const e = await entry();
        await stack.api.storage.put(entryKey, Buffer.from(JSON.stringify({ ...e, checked_at: e.checked_at - 1801 * 1000 })), 'application/json');
        return e;
      };
      const colour = async (res: request.Response) => (await decodeImage(res.body as Buffer)).pixel(60, 30);
      hits.length = 0;
      const first = await og(url);
      expect(await colour(first)).toEqual([255, 0, 0, 255]);
      expect(hits).toEqual(['/versioned', '/versioned']);

      // Stale, the page changed but not its content version: the image stays, the page is read again, nothing renders.
      versioned.color = '#0000ff';
      const before = await age();
      expect(Buffer.compare((await og(url)).body as Buffer, first.body as Buffer)).toBe(0);
      const checked = await eventually(entry, (e) => e.checked_at > before.checked_at);
      expect(checked.image_id).toBe(before.image_id);
      expect(hits).toEqual(['/versioned', '/versioned', '/versioned']);

      // Stale, with a new content version: answered from what is there, rendered again behind it.
      versioned.version = '2';
      const stale = await age();
      expect(await colour(await og(url))).toEqual([255, 0, 0, 255]);
      const renewed = await eventually(entry, (e) => e.image_id !== stale.image_id);
      expect(renewed.image_id).not.toBe(stale.image_id);
      expect(await colour(await og(url))).toEqual([0, 0, 255, 255]);
      await send('delete', `/v1/og-configs/${created.body.id}`);
    });

    it("post_process renders once and scales that image down into each platform's bounds, never stretched", async () => {
      const created = await send('post', '/v1/og-configs', { config_type: 'html_css', name: 'One render', description: null, base_url: origin, disabled: false, default_options: null, extract_values: false });
      expect(created.body.optimization_mode).toBe('post_process');
      const url = `/v1/og/${created.body.domain_id}/versioned`;
      const fetchAs = async (agent?: string) => {
        const req = request(stack.api.handler).get(url).buffer(true);
        const res = await (agent ? req.set('User-Agent', agent) : req);
        const img = await decodeImage(res.body as Buffer);
        return { size: [img.width, img.height], vary: res.headers.vary };
      };
      hits.length = 0;
      expect(await fetchAs()).toEqual({ size: [1200, 630], vary: 'User-Agent' });
      expect((await fetchAs('Twitterbot/1.0')).size).toEqual([1143, 600]);
      expect((await fetchAs('Pinterest/0.2 (+https://www.pinterest.com/bot.html)')).size).toEqual([1000, 525]);
      expect((await fetchAs('facebookexternalhit/1.1')).size).toEqual([1200, 630]);
      // One metadata read and one render for all of them.
      expect(hits).toEqual(['/versioned', '/versioned']);
      await send('delete', `/v1/og-configs/${created.body.id}`);
    });

    it("set_viewport renders each platform's card at its own size, told by the crawler's User-Agent", async () => {
      const created = await send('post', '/v1/og-configs', {
        config_type: 'html_css', name: 'Per platform', description: null, base_url: origin, disabled: false, optimization_mode: 'set_viewport',
        default_options: null, extract_values: false,
      });
      expect(created.status).toBe(200);
      const url = `/v1/og/${created.body.domain_id}/versioned`;
      const size = async (agent?: string) => {
        const req = request(stack.api.handler).get(url).buffer(true);
        const res = await (agent ? req.set('User-Agent', agent) : req);
        expect([res.status, res.headers['content-type'], res.status === 200 ? '' : res.body.message]).toEqual([200, 'image/png', '']);
        const img = await decodeImage(res.body as Buffer);
        return [img.width, img.height];
      };
      expect(await size('Twitterbot/1.0')).toEqual([1200, 600]);
      expect(await size('LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)')).toEqual([1200, 627]);
      expect(await size()).toEqual([1200, 630]);
      await send('delete', `/v1/og-configs/${created.body.id}`);
    });

    it('refuses domains that are not configured with a 404, rendering nothing', async () => {
      hits.length = 0;
      for (const path of ['/v1/og/aaaaaaaaaaaaaaaaaaaa/blog/hello', '/v1/og/not-a-domain/', '/v1/og/x']) {
        const res = await og(path);
        expect([res.status, res.body.message]).toEqual([404, expect.stringMatching(/^No enabled Open Graph configuration has the domain id /)]);
      }
      expect(hits).toEqual([]);
    });
  });
});
