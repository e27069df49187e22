// proxy_id (hcti guides/advanced/proxies.md): a render that names an operator-configured proxy
// sends all its page traffic through it, with the proxy's credentials; the egress policy still
// decides which destinations a page may reach. The "upstream" is a recording proxy on loopback.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { RenderInputError } from '@pixelfarm/errors';
import { decodeImage } from '../support/decode-image';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { startForwardProxy, type ForwardProxy } from '../support/forward-proxy';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

describe('proxy_id', () => {
  let renderer: ChromiumRenderer;
  let site: LoopbackServer;
  let upstream: ForwardProxy;
  let locked: ForwardProxy;
  let secure: ForwardProxy;
  const siteHits: string[] = [];

  /** A self-signed certificate for 127.0.0.1, made for this run: hcti's proxies are https ones. */
  function selfSigned(): { key: string; cert: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
      return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  beforeAll(async () => {
    site = await serveOnLoopback((req, res) => {
      siteHits.push(req.url!);
      if (req.url === '/logo.svg') {
        return void res
          .writeHead(200, { 'Content-Type': 'image/svg+xml' })
          .end('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#00f"/></svg>');
      }
      // A page with its own image, and one from an address the egress policy refuses (127.0.0.2 is not allow-listed).
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<body style="margin:0;background:#0f0"><img src="/logo.svg"><img src="http://127.0.0.2:9/x.png"></body>');
    });
    upstream = await startForwardProxy({ username: 'render', password: 'p@ss:word' });
    locked = await startForwardProxy({ username: 'someone', password: 'else' });
    const tls = selfSigned();
    secure = await startForwardProxy({ username: 'tls-user', password: 'tls-pass' }, tls);
    renderer = new ChromiumRenderer({
      ...configuredRenderer(),
      urlAllowlist: ['127.0.0.1'],
      timeoutMs: 15_000,
      maxCaptureHeight: 2000,
      proxies: [
        { id: 'corp', protocol: 'http', host: upstream.host, port: upstream.port, username: 'render', password: 'p@ss:word' },
        { id: 'wrong-password', protocol: 'http', host: locked.host, port: locked.port, username: 'someone', password: 'guess' },
        { id: 'secure', protocol: 'https', host: secure.host, port: secure.port, username: 'tls-user', password: 'tls-pass' },
      ],
      proxyCa: tls.cert,
    });
    await renderer.start();
  });
  afterAll(async () => {
    await renderer?.close();
    await Promise.all([site?.close(), upstream?.close(), locked?.close(), secure?.close()]);
  });

  it("sends a url capture's page and subresources through the named proxy, with its credentials", async () => {
    upstream.seen.length = 0;
    siteHits.length = 0;
    const { png } = await renderer.render(planCapture({ url: `${site.origin}/`, viewport_width: 100, viewport_height: 60, proxy_id: 'corp' }));
    const img = await decodeImage(png);
    expect([img.pixel(20, 20), img.pixel(90, 50)]).toEqual([
      [0, 0, 255, 255],
      [0, 255, 0, 255],
    ]);
    expect(siteHits).toEqual(expect.arrayContaining(['/', '/logo.svg']));
    const port = new URL(site.origin).port;
    // Every connection the page made went through the proxy, as a CONNECT to the checked address.
    expect(upstream.seen.length).toBeGreaterThanOrEqual(1);
    expect(upstream.seen.every((r) => r.method === 'CONNECT' && r.target === `127.0.0.1:${port}`)).toBe(true);
    expect(upstream.seen.every((r) => r.auth === `Basic ${Buffer.from('render:p@ss:word').toString('base64')}`)).toBe(true);
    // The egress policy still decides: the refused address never reached the proxy.
    expect(upstream.seen.some((r) => r.target.startsWith('127.0.0.2'))).toBe(false);
  });

  it("sends an html render's external assets through it too", async () => {
    upstream.seen.length = 0;
    const { png } = await renderer.render(planCapture({ html: `<img src="${site.origin}/logo.svg" style="display:block">`, proxy_id: 'corp', device_scale: 1 }));
    expect((await decodeImage(png)).pixel(10, 10)).toEqual([0, 0, 255, 255]);
    expect(upstream.seen.map((r) => r.target)).toContain(`127.0.0.1:${new URL(site.origin).port}`);
  });

  it('speaks TLS to an https proxy, as hcti requires of its proxies', async () => {
    secure.seen.length = 0;
    const { png } = await renderer.render(planCapture({ url: `${site.origin}/`, viewport_width: 100, viewport_height: 60, proxy_id: 'secure' }));
    expect((await decodeImage(png)).pixel(90, 50)).toEqual([0, 255, 0, 255]);
    expect(secure.seen.map((r) => [r.method, r.target, r.auth])).toContainEqual(['CONNECT', `127.0.0.1:${new URL(site.origin).port}`, `Basic ${Buffer.from('tls-user:tls-pass').toString('base64')}`]);
  });

  it('leaves renders without proxy_id on the direct path', async () => {
    upstream.seen.length = 0;
    await renderer.render(planCapture({ url: `${site.origin}/`, viewport_width: 100, viewport_height: 60 }));
    expect(upstream.seen).toEqual([]);
  });

  it('fails as the request’s fault when the proxy refuses it', async () => {
    const attempt = renderer.render(planCapture({ url: `${site.origin}/`, viewport_width: 100, viewport_height: 60, proxy_id: 'wrong-password' }));
    await expect(attempt).rejects.toBeInstanceOf(RenderInputError);
    await expect(attempt).rejects.toThrow(/^The url could not be loaded: net::ERR_[A-Z_]+$/);
    expect(locked.seen.length).toBeGreaterThan(0);
  });
});
