// The only way out of the browser: an HTTP forward proxy on loopback that every page request
// (http, https and websockets, subresources, iframes, fetch, redirects) goes through. It
// resolves each host once, checks the addresses with the NetworkGuard, and connects to the
// checked address itself, so DNS rebinding between check and connect cannot happen.
// (Request interception alone is not enough: the browser would resolve the name again.)
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { NetworkGuard } from '@pixelfarm/egress';

export interface EgressProxyOptions {
  guard: NetworkGuard;
  /** Called for each refused destination (metrics, logs). */
  onBlocked?: (host: string) => void;
  /** Upstream connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
}

/** Marks the proxy's own refusals, so a refused main document is told apart from a site's 403. */
export const EGRESS_REFUSED_HEADER = 'x-pixelfarm-egress-refused';

const HOP_BY_HOP = ['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

export class EgressProxy {
  private readonly server: http.Server;
  private readonly sockets = new Set<Duplex>();
  private port = 0;
  private closing?: Promise<void>;

  constructor(private readonly options: EgressProxyOptions) {
    this.server = http.createServer((req, res) => void this.forward(req, res));
    this.server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.tunnel(req, socket, head));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on an ephemeral loopback port; returns the proxy URL for --proxy-server. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Plain-HTTP requests arrive with an absolute URL. */
  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (target.protocol !== 'http:') {
      res.writeHead(403).end();
      return;
    }
    const address = await this.options.guard.resolve(target.hostname);
    if (!address) {
      this.options.onBlocked?.(target.hostname);
      res.writeHead(403, { 'Content-Type': 'text/plain', [EGRESS_REFUSED_HEADER]: '1' }).end('Blocked by pixelfarm egress policy');
      return;
    }
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    const upstream = http.request({
      host: address,
      port: target.port ? Number(target.port) : 80,
      method: req.method,
      path: `${target.pathname}${target.search}`,
      headers: { ...headers, host: target.host },
      setHost: false,
      timeout: this.options.connectTimeoutMs ?? 10_000,
    });
    upstream.on('response', (up) => {
      // A site cannot pass its own answer off as the proxy's refusal.
      delete up.headers[EGRESS_REFUSED_HEADER];
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  }

  /** HTTPS and WSS arrive as CONNECT host:port; the tunnel goes to the checked address. */
  private async tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const [, host, port] = match;
    const address = await this.options.guard.resolve(host!);
    if (!address) {
      this.options.onBlocked?.(host!);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: address, port: Number(port), timeout: this.options.connectTimeoutMs ?? 10_000 });
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('timeout', () => upstream.destroy());
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    client.on('close', () => upstream.destroy());
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const s of this.sockets) s.destroy();
      this.server.close(() => resolve());
    });
    return this.closing;
  }
}
