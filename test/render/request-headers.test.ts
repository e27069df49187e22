// Custom headers of url captures reach exactly the origins hcti's rules allow
// (htmlcsstoimage/docs parameters/headers.md, parameters/identify_as_hcti.md), across redirects,
// subresources and frames. Three origins on loopback ports: the url's, one listed in
// additional_header_origins, and one that is not; each records what it was sent.
import http from 'node:http';
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

interface Seen {
  origin: 'site' | 'listed' | 'other';
  path: string;
  auth?: string;
  hcti?: string;
  ua?: string;
  dest?: string;
}

describe('custom request headers by origin', () => {
  let renderer: ChromiumRenderer;
  let site: LoopbackServer;
  let listed: LoopbackServer;
  let other: LoopbackServer;
  const seen: Seen[] = [];

  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#00f"/></svg>';
  function recorder(origin: Seen['origin'], pages: (path: string) => { status?: number; location?: string; html?: string } | undefined): http.RequestListener {
    return (req, res) => {
      // The browser asks for a favicon when it pleases: not part of what a page requests.
      if (req.url === '/favicon.ico') return void res.writeHead(404).end();
      seen.push({
        origin,
        path: req.url!,
        auth: req.headers['authorization'],
        hcti: req.headers['x-hcti-screenshot'] as string | undefined,
        ua: req.headers['user-agent'],
        dest: req.headers['sec-fetch-dest'] as string | undefined,
      });
      const page = pages(req.url!);
      if (page?.location) return void res.writeHead(page.status ?? 302, { Location: page.location }).end();
      if (page?.html) return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(page.html);
      res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Access-Control-Allow-Origin': '*' }).end(svg);
    };
  }

  beforeAll(async () => {
    other = await serveOnLoopback(
      recorder('other', (path) => {
        if (path === '/bounce-back') return { location: `${site.origin}/page` };
        return undefined;
      }),
    );
    listed = await serveOnLoopback(
      recorder('listed', (path) => {
        if (path === '/landing') return { html: `<body><img src="${listed.origin}/listed.svg"><img src="${other.origin}/other.svg"></body>` };
        return undefined;
      }),
    );
    site = await serveOnLoopback(
      recorder('site', (path) => {
        if (path === '/page') {
          return {
            html: `<body><img src="/own.svg"><img src="${listed.origin}/listed.svg"><img src="${other.origin}/other.svg">
<iframe src="/frame"></iframe><script>fetch('${listed.origin}/fetched').catch(() => {})</script></body>`,
          };
        }
        if (path === '/frame') return { html: '<body>frame</body>' };
        if (path === '/to-other') return { location: `${other.origin}/bounce-back` };
        if (path === '/to-listed') return { location: `${listed.origin}/landing` };
        return undefined;
      }),
    );
    renderer = new ChromiumRenderer({ ...configuredRenderer(), urlAllowlist: ['127.0.0.1'], timeoutMs: 15_000, maxCaptureHeight: 2000 });
    await renderer.start();
  });
  afterAll(async () => {
    await renderer?.close();
    await Promise.all([site?.close(), listed?.close(), other?.close()]);
  });

  async function capture(fields: Record<string, unknown>, path = '/page'): Promise<Seen[]> {
    seen.length = 0;
    await renderer.render(planCapture({ url: `${site.origin}${path}`, viewport_width: 200, viewport_height: 100, ms_delay: 200, ...fields }));
    return [...seen];
  }
  const withAuth = (requests: Seen[]) => requests.filter((r) => r.auth !== undefined).map((r) => `${r.origin}${r.path}`).sort();

  it("sends headers with the top-level page request to the url's origin only, by default", async () => {
    const requests = await capture({ headers: { Authorization: 'Bearer short-lived-token' } });
    expect(requests.map((r) => `${r.origin}${r.path}`)).toEqual(expect.arrayContaining(['site/page', 'site/own.svg', 'site/frame', 'listed/listed.svg', 'other/other.svg']));
    expect(withAuth(requests)).toEqual(['site/page']);
    expect(requests.find((r) => r.path === '/page')!.auth).toBe('Bearer short-lived-token');
  });

  it('adds subrequests to the allowed origins with include_headers_on_subrequests, never other origins', async () => {
    const requests = await capture({
      headers: { Authorization: 'Bearer short-lived-token' },
      additional_header_origins: [listed.origin],
      include_headers_on_subrequests: true,
    });
    expect(withAuth(requests)).toEqual(['listed/fetched', 'listed/listed.svg', 'site/frame', 'site/own.svg', 'site/page']);
    expect(requests.filter((r) => r.origin === 'other').every((r) => r.auth === undefined)).toBe(true);
    // Without additional_header_origins the listed origin gets nothing either.
    const own = await capture({ headers: { Authorization: 'Bearer short-lived-token' }, include_headers_on_subrequests: true });
    expect(withAuth(own)).toEqual(['site/frame', 'site/own.svg', 'site/page']);
  });

  it('judges every hop of a redirect on its own origin: nothing leaks to an unlisted one', async () => {
    // site → other (unlisted) → site: the middle hop gets no header, the last one does.
    const requests = await capture({ headers: { Authorization: 'Bearer short-lived-token' } }, '/to-other');
    expect(requests.filter((r) => r.dest === 'document' && r.path !== '/frame').map((r) => [`${r.origin}${r.path}`, r.auth])).toEqual([
      ['site/to-other', 'Bearer short-lived-token'],
      ['other/bounce-back', undefined],
      ['site/page', 'Bearer short-lived-token'],
    ]);
    // site → listed: a top-level navigation to a listed origin gets them; its subrequests do not (no include_headers_on_subrequests).
    const listedHops = await capture({ headers: { Authorization: 'Bearer short-lived-token' }, additional_header_origins: [listed.origin] }, '/to-listed');
    expect(withAuth(listedHops)).toEqual(['listed/landing', 'site/to-listed']);
  });

  it('applies User-Agent to every request of the render, whatever its origin', async () => {
    const requests = await capture({ headers: { 'User-Agent': 'pixelfarm-test-agent/1.0', Authorization: 'Bearer t' } });
    expect(requests.length).toBeGreaterThan(4);
    expect(requests.every((r) => r.ua === 'pixelfarm-test-agent/1.0')).toBe(true);
  });

  it('identify_as_hcti adds X-HCTI-SCREENSHOT: 1 to the top-level page request only', async () => {
    // hcti's JSON example, on a loopback page: {"url": …, "identify_as_hcti": true}.
    const requests = await capture({ identify_as_hcti: true });
    expect(requests.filter((r) => r.hcti !== undefined).map((r) => [`${r.origin}${r.path}`, r.hcti])).toEqual([['site/page', '1']]);
    expect(requests.length).toBeGreaterThan(4);
  });
});
