// The egress policy, tried the way attackers try it: every way a page can reach the network,
// aimed at a "private" host (127.0.0.2, not allow-listed) while 127.0.0.1 stands for an
// allowed public host. Traffic stays on loopback.
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ChromiumRenderer } from '@pixelfarm/renderer';
import { decodeImage } from '../support/decode-image';
import { planCapture } from '../support/render-plans';
import { configuredRenderer } from '../support/configured-renderer';

interface Target {
  hits: string[];
  port: number;
  close(): Promise<void>;
}

/** A server on one loopback address that records every request it receives. */
async function target(address: string, port = 0): Promise<Target> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.startsWith('/redirect-to/')) {
      res.writeHead(302, { Location: decodeURIComponent(req.url.slice('/redirect-to/'.length)) }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html', 'Access-Control-Allow-Origin': '*' });
    res.end('<div style="width:10px;height:10px;background:#f00"></div>');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    hits.push(`ws:${req.url}`);
    ws.close();
  });
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return {
    hits,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('egress policy (SSRF)', () => {
  let allowed: Target; // 127.0.0.1: allow-listed, stands for a public host
  let secret: Target; // 127.0.0.2: a private host nobody may reach
  let renderer: ChromiumRenderer;
  let lookups: Record<string, string[][]>;

  beforeAll(async () => {
    allowed = await target('127.0.0.1');
    secret = await target('127.0.0.2', allowed.port);
    lookups = {};
    renderer = new ChromiumRenderer({
      ...configuredRenderer(),
      urlAllowlist: ['127.0.0.1'],
      timeoutMs: 15_000,
      maxCaptureHeight: 2000,
      // A fake DNS: names that lead to the private host, and one that rebinds after its first answer.
      lookup: async (host) => {
        const answers: Record<string, string[][]> = {
          'private.test': [['127.0.0.2']],
          'mixed.test': [['127.0.0.1', '127.0.0.2']],
          'rebind.test': [['127.0.0.1'], ['127.0.0.2']],
          'public.test': [['127.0.0.1']],
        };
        const seq = answers[host];
        if (!seq) throw new Error('ENOTFOUND');
        const n = (lookups[host] ??= []).length;
        const answer = seq[Math.min(n, seq.length - 1)]!;
        lookups[host]!.push(answer);
        return answer;
      },
    });
    await renderer.start();
  });

  afterAll(async () => {
    await renderer?.close();
    await allowed?.close();
    await secret?.close();
  });

  beforeEach(() => {
    allowed.hits.length = 0;
    secret.hits.length = 0;
  });

  const P = () => allowed.port;
  const renderHtml = (body: string) =>
    renderer.render(planCapture({ html: `<div style="width:20px;height:20px;background:#00f"></div>${body}`, device_scale: 1, max_wait_ms: 3000 }));

  it('lets pages reach an allow-listed host (the control case)', async () => {
    await renderHtml(`<img src="http://127.0.0.1:${P()}/img"><img src="http://public.test:${P()}/byname">`);
    expect(allowed.hits.sort()).toEqual(['/byname', '/img']);
  });

  const vectors: Array<[string, () => string]> = [
    ['img to the private address', () => `<img src="http://127.0.0.2:${P()}/img">`],
    ['iframe', () => `<iframe src="http://127.0.0.2:${P()}/iframe"></iframe>`],
    ['fetch', () => `<script>fetch("http://127.0.0.2:${P()}/fetch").catch(()=>{})</script>`],
    ['XHR', () => `<script>var x=new XMLHttpRequest();x.open("GET","http://127.0.0.2:${P()}/xhr");x.send()</script>`],
    ['websocket', () => `<script>try{new WebSocket("ws://127.0.0.2:${P()}/ws")}catch(e){}</script>`],
    ['stylesheet', () => `<link rel="stylesheet" href="http://127.0.0.2:${P()}/css">`],
    ['decimal IPv4 spelling', () => `<img src="http://2130706434:${P()}/decimal">`],
    ['hex IPv4 spelling', () => `<img src="http://0x7f000002:${P()}/hex">`],
    ['octal IPv4 spelling', () => `<img src="http://0177.0.0.2:${P()}/octal">`],
    ['IPv4-mapped IPv6', () => `<img src="http://[::ffff:127.0.0.2]:${P()}/mapped">`],
    ['a DNS name that resolves to the private host', () => `<img src="http://private.test:${P()}/dns">`],
    ['a DNS answer mixing allowed and private addresses', () => `<img src="http://mixed.test:${P()}/mixed">`],
    ['a redirect from an allowed host to the private one', () =>
      `<img src="http://127.0.0.1:${P()}/redirect-to/${encodeURIComponent(`http://127.0.0.2:${P()}/redirected`)}">`],
  ];

  it.each(vectors)('blocks %s', async (_name, html) => {
    const out = await renderHtml(html());
    expect(secret.hits).toEqual([]);
    // The page itself still renders normally.
    const img = await decodeImage(out.png);
    expect(img.pixel(5, 5)).toEqual([0, 0, 255, 255]);
  });

  it('blocks cloud metadata and link-local addresses without sending a packet', async () => {
    const guard = (renderer as unknown as { guard: { resolve(h: string): Promise<string | null> } }).guard;
    for (const host of ['169.254.169.254', '[fe80::1]', '[fd00::1]', '10.0.0.1', '192.168.1.1', '172.16.0.1', '[::1]', '0.0.0.0', '[::ffff:7f00:2]']) {
      expect(await guard.resolve(host)).toBeNull();
    }
  });

  it('connects to the address it checked, so DNS rebinding cannot switch it to a private host', async () => {
    await renderHtml(`<img src="http://rebind.test:${P()}/rebind">`);
    expect(lookups['rebind.test']).toHaveLength(1);
    expect(allowed.hits).toEqual(['/rebind']);
    expect(secret.hits).toEqual([]);
    // A second page load resolves again and now gets the private answer: refused.
    await renderHtml(`<img src="http://rebind.test:${P()}/rebind2">`);
    expect(secret.hits).toEqual([]);
    expect(allowed.hits).toEqual(['/rebind']);
  });

  it('refuses a url render aimed at a private host with a clear input error', async () => {
    await expect(renderer.render(planCapture({ url: `http://127.0.0.2:${P()}/`, max_wait_ms: 2000 }))).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/private/),
    });
    await expect(renderer.render(planCapture({ url: `http://private.test:${P()}/`, max_wait_ms: 2000 }))).rejects.toMatchObject({ status: 400 });
    expect(secret.hits).toEqual([]);
  });

  it.each(['http', 'https'])('fails a url whose redirect leads to a private host over %s, naming the refusal', async (scheme) => {
    const to = `${scheme}://127.0.0.2:${P()}/`;
    await expect(renderer.render(planCapture({ url: `http://127.0.0.1:${P()}/redirect-to/${encodeURIComponent(to)}`, max_wait_ms: 3000 }))).rejects.toMatchObject({
      status: 400,
      message: `The url redirected to ${scheme}://127.0.0.2:${P()}, a private or reserved address, which this service does not load`,
    });
    expect(secret.hits).toEqual([]);
  });

  it('does not read local files', async () => {
    // A red square on disk: if the page could load file: URLs, the capture would be red.
    const file = path.join(os.tmpdir(), `pixelfarm-local-${process.pid}.png`);
    await sharp({ create: { width: 50, height: 50, channels: 3, background: '#ff0000' } }).png().toFile(file);
    try {
      const out = await renderer.render(planCapture({
        html: `<img src="file://${file}" style="display:block;width:50px;height:50px">`,
        viewport_width: 60,
        viewport_height: 60,
        device_scale: 1,
      }));
      const img = await decodeImage(out.png);
      expect(img.pixel(25, 25)).not.toEqual([255, 0, 0, 255]);
    } finally {
      await fs.rm(file, { force: true });
    }
  });
});
