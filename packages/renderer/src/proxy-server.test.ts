// The proxy server both of the browser's ways out share, on loopback with a real origin: plain
// http forwarded with its Host, CONNECT tunnels to the checked address, refusals counted, and
// both ways of reaching the upstream (direct, or a socket of the path's own) behaving alike.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { NetworkGuard } from '@pixelfarm/egress';
import { connectDirect, EGRESS_REFUSED_HEADER, ProxyServer, type UpstreamPath } from './proxy-server';
import { EgressProxy } from './egress-proxy';

// DNS of this test: site.test is the origin on loopback (allow-listed), private.test a private address.
const guard = new NetworkGuard(['127.0.0.1'], async (host) => (host === 'site.test' ? ['127.0.0.1'] : host === 'private.test' ? ['10.0.0.1'] : []));

let origin: http.Server;
let originPort: number;
let closedPort: number;

beforeAll(async () => {
  origin = http.createServer((req, res) => {
    const body = `${req.method} ${req.url} host=${req.headers.host}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), [EGRESS_REFUSED_HEADER]: 'forged' });
    res.end(body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originPort = (origin.address() as AddressInfo).port;
  // A port nothing listens on: taken, then released.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(() => new Promise((resolve) => origin.close(resolve)));

/** A GET through the proxy in absolute form: its status, refusal mark and body, or the error when unanswered. */
function get(proxyUrl: string, target: string): Promise<{ status: number; refused?: string; body: string } | { error: string }> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve) => {
    const req = http.request({ host: proxy.hostname, port: proxy.port, path: target, headers: { host: new URL(target).host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, refused: res.headers[EGRESS_REFUSED_HEADER] as string | undefined, body }));
    });
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}

/** A CONNECT through the proxy: its status line, and with 200 the answer of a GET sent through the tunnel. */
function connect(proxyUrl: string, target: string): Promise<{ status: string; body?: string }> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: target });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) return resolve({ status: String(res.statusCode) });
      let body = '';
      socket.on('data', (c) => (body += c));
      socket.on('end', () => resolve({ status: '200', body: body.slice(body.indexOf('\r\n\r\n') + 4) }));
      socket.write(`GET /tunnelled HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n`);
    });
    req.on('error', reject);
    req.end();
  });
}

const connectPath = (opened: string[]): UpstreamPath => ({
  connect: (host, address, port) => {
    opened.push(`${host} at ${address}:${port}`);
    return connectDirect(address, port, 2000);
  },
  plainHttp: 'connect',
});

describe('ProxyServer', () => {
  const blocked: string[] = [];
  const opened: string[] = [];
  const proxies = {
    direct: new EgressProxy({ guard, onBlocked: (host) => blocked.push(host), connectTimeoutMs: 2000 }),
    'its own socket': new ProxyServer({ guard, upstream: connectPath(opened), onBlocked: (host) => blocked.push(host) }),
  };
  beforeAll(() => Promise.all(Object.values(proxies).map((p) => p.start())));
  afterAll(() => Promise.all(Object.values(proxies).map((p) => p.close())));

  it.each(Object.keys(proxies))('%s: forwards plain http to the checked address with its Host, never passing on a forged refusal', async (name) => {
    const answer = await get(proxies[name as keyof typeof proxies].url, `http://site.test:${originPort}/page?q=1`);
    expect(answer).toEqual({ status: 200, refused: undefined, body: `GET /page?q=1 host=site.test:${originPort}` });
  });

  it.each(Object.keys(proxies))('%s: tunnels CONNECT to the checked address', async (name) => {
    expect(await connect(proxies[name as keyof typeof proxies].url, `site.test:${originPort}`)).toEqual({ status: '200', body: 'GET /tunnelled host=site.test' });
  });

  it('opens the path\'s own sockets to the address the guard returned', () => {
    expect(opened).toEqual([`site.test at 127.0.0.1:${originPort}`, `site.test at 127.0.0.1:${originPort}`]);
  });

  it.each(Object.keys(proxies))('%s: refuses what the guard refuses, marked and told', async (name) => {
    blocked.length = 0;
    const proxy = proxies[name as keyof typeof proxies];
    expect(await get(proxy.url, 'http://private.test/')).toEqual({ status: 403, refused: '1', body: 'Blocked by pixelfarm egress policy' });
    expect(await connect(proxy.url, 'private.test:443')).toEqual({ status: '403' });
    expect(blocked).toEqual(['private.test', 'private.test']);
  });

  it('an upstream that cannot be reached: a 502 tunnel; plain http 502 direct, unanswered through a socket of its own', async () => {
    for (const proxy of Object.values(proxies)) expect(await connect(proxy.url, `127.0.0.1:${closedPort}`)).toEqual({ status: '502' });
    expect(await get(proxies.direct.url, `http://127.0.0.1:${closedPort}/`)).toMatchObject({ status: 502 });
    expect(await get(proxies['its own socket'].url, `http://127.0.0.1:${closedPort}/`)).toEqual({ error: 'socket hang up' });
  });

  it('closes once, ending what is open', async () => {
    const proxy = new ProxyServer({ guard, upstream: connectPath([]) });
    await proxy.start();
    const first = proxy.close();
    expect(proxy.close()).toBe(first);
    await first;
    expect(await get(proxy.url, `http://site.test:${originPort}/`)).toMatchObject({ error: expect.stringMatching(/ECONNREFUSED/) });
  });
});
