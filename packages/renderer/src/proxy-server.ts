// The loopback HTTP proxy server both of the browser's ways out are built on (the egress proxy,
// and the relays through an upstream proxy): its lifecycle, plain-http forwarding and CONNECT
// tunnels. Each host is resolved once and checked by the NetworkGuard, and the upstream is
// opened to the checked address, so DNS rebinding between check and connect cannot happen.
// The two differ only in how the upstream is reached (see ProxyServerOptions.upstream).
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { EgressRefusal, NetworkGuard } from '@pixelfarm/egress';

/** Marks the proxy's own refusals, so a refused main document is told apart from a site's 403. */
export const EGRESS_REFUSED_HEADER = 'x-pixelfarm-egress-refused';

const HOP_BY_HOP = ['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

/** How the proxy reaches a checked address. */
export interface UpstreamPath {
  /** Opens a socket to the checked address and port of `host` (a CONNECT tunnel's far end); rejects when it cannot. */
  connect(host: string, address: string, port: number): Promise<Duplex>;
  /**
   * Plain http: `direct`, through Node's agent straight to the address (kept-alive connections,
   * timeoutMs the socket's connect and idle timeout); or `connect`, through a socket of its own
   * from connect(). A socket that cannot be opened leaves the request unanswered, which the
   * browser reports as a failed load rather than rendering an empty error page.
   */
  plainHttp: { direct: { timeoutMs: number } } | 'connect';
}

export interface ProxyServerOptions {
  guard: NetworkGuard;
  upstream: UpstreamPath;
  /** Called for each refused destination, with the policy's reason (metrics, logs). */
  onBlocked?: (host: string, reason: EgressRefusal) => void;
}

export class ProxyServer {
  private readonly server: http.Server;
  /** The browser's connections and the upstream sockets opened for them: ended by close(). */
  private readonly sockets = new Set<Duplex>();
  private port = 0;
  private closing?: Promise<void>;

  constructor(private readonly proxy: ProxyServerOptions) {
    this.server = http.createServer((req, res) => void this.forward(req, res));
    this.server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.tunnel(req, socket, head));
    this.server.on('connection', (socket: Duplex) => this.track(socket));
  }

  /** Listens on an ephemeral loopback port; returns the proxy URL (for --proxy-server, or a context's proxy). */
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

  /** Idempotent: ends every connection and stops listening. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const s of this.sockets) s.destroy();
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private async openTracked(host: string, address: string, port: number): Promise<Duplex> {
    const socket = await this.proxy.upstream.connect(host, address, port);
    this.track(socket);
    return socket;
  }

  private refuse(host: string, reason: EgressRefusal): void {
    this.proxy.onBlocked?.(host, reason);
  }

  /** Plain http arrives in absolute form; it is sent to the checked address with its own Host. */
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
    const verdict = await this.proxy.guard.judge(target.hostname);
    if ('refused' in verdict) {
      this.refuse(target.hostname, verdict.refused);
      res.writeHead(403, { 'Content-Type': 'text/plain', [EGRESS_REFUSED_HEADER]: '1' }).end('Blocked by pixelfarm egress policy');
      return;
    }
    const { address } = verdict;
    const port = Number(target.port || 80);
    const { plainHttp } = this.proxy.upstream;
    let route: http.RequestOptions;
    if (plainHttp === 'connect') {
      try {
        const socket = await this.openTracked(target.hostname, address, port);
        route = { createConnection: () => socket };
      } catch {
        res.destroy();
        return;
      }
    } else {
      route = { host: address, port, timeout: plainHttp.direct.timeoutMs };
    }
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    const upstream = http.request({
      ...route,
      method: req.method,
      path: `${target.pathname}${target.search}`,
      headers: { ...headers, host: target.host },
      setHost: false,
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

  /** https and wss arrive as CONNECT host:port; the tunnel goes to the checked address. */
  private async tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const [, host, port] = match;
    const verdict = await this.proxy.guard.judge(host!);
    if ('refused' in verdict) {
      this.refuse(host!, verdict.refused);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const { address } = verdict;
    let upstream: Duplex;
    try {
      upstream = await this.openTracked(host!, address, Number(port));
    } catch {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);
    client.pipe(upstream);
    client.on('close', () => upstream.destroy());
  }
}

/** A TCP connection straight to address:port, within the connect timeout. */
export function connectDirect(address: string, port: number, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, timeout: timeoutMs });
    socket.once('timeout', () => socket.destroy(new Error('connect timed out')));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
