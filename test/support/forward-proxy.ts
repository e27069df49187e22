// An upstream forward proxy on loopback, as an operator's proxy would be (proxy_id): it answers
// CONNECT (and absolute-form plain-http requests), checks Basic credentials, and records what
// passed through it, so tests see which destinations a render reached through it.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxiedRequest {
  method: string;
  /** host:port of a CONNECT, or the absolute URL of a plain request. */
  target: string;
  /** The Proxy-Authorization header, as sent. */
  auth?: string;
}

export interface ForwardProxy {
  host: string;
  port: number;
  seen: ProxiedRequest[];
  close(): Promise<void>;
}

/** Starts the proxy; with credentials, requests without them get 407; with tls, it is an https proxy. */
export async function startForwardProxy(credentials?: { username: string; password: string }, tls?: { key: string; cert: string }): Promise<ForwardProxy> {
  const expected = credentials && `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Duplex>();
  const handle: http.RequestListener = (req, res) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    if (expected && req.headers['proxy-authorization'] !== expected) return void res.writeHead(407, { 'Proxy-Authenticate': 'Basic' }).end();
    const url = new URL(req.url ?? '');
    const up = http.request({ host: url.hostname, port: url.port || 80, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  const server = tls ? https.createServer(tls, handle) : http.createServer(handle);
  server.on(tls ? 'secureConnection' : 'connection', (s: Duplex) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    seen.push({ method: 'CONNECT', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    client.on('error', () => client.destroy());
    if (expected && req.headers['proxy-authorization'] !== expected) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
    const [host, port] = [(req.url ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), Number(/:(\d+)$/.exec(req.url ?? '')?.[1])];
    const upstream = net.connect({ host, port }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
