// proxy_id (hcti guides/advanced/proxies.md): a render that names an operator-configured upstream
// proxy sends all its page traffic through it. Its browser context uses one of these loopback
// relays as its proxy instead of the egress proxy; the relay applies the same egress policy (each
// host resolved once and checked by the NetworkGuard) and then reaches the checked address through
// the upstream with CONNECT, for https and plain http alike: the upstream connects to exactly
// the address that was judged (no second DNS answer), and a plain-http request keeps its Host.
// The upstream must therefore allow CONNECT to the ports pages use (80 and 443).
// An account's own proxy (/v1/proxies) is not trusted as an operator's is: its own address is
// resolved and judged by the same policy on every connection, and its bypass hosts are reached
// directly from here, at their checked address, never by the browser on its own.
// The server is proxy-server.ts; a relay reaches a checked address through a CONNECT of the
// upstream proxy, or straight for a bypass host.
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { RenderInputError } from '@pixelfarm/errors';
import type { NetworkGuard, UpstreamProxy } from '@pixelfarm/egress';
import { connectDirect, ProxyServer } from './proxy-server';

/** The upstream's own address is refused by the egress policy. */
export class UpstreamRefusedError extends Error {
  constructor(host: string) {
    super(`the proxy's address ${host} is refused by the egress policy: it does not resolve, or resolves to a private, loopback or reserved address (URL_ALLOWLIST can open it)`);
    this.name = new.target.name;
  }
}

export interface UpstreamRelayOptions {
  upstream: UpstreamProxy;
  guard: NetworkGuard;
  /** Connect (and CONNECT handshake) timeout towards the upstream, and towards a bypassed site. */
  connectTimeoutMs: number;
  /** Extra CA certificates that sign an https upstream's certificate (tests, private CAs). */
  ca?: string | Buffer;
}

/** Longest CONNECT answer head read from an upstream. */
const MAX_HEAD_BYTES = 16 * 1024;

export class UpstreamRelay extends ProxyServer {
  constructor(private readonly options: UpstreamRelayOptions) {
    super({ guard: options.guard, upstream: { connect: (host, address, port) => this.route(host, address, port), plainHttp: 'connect' } });
  }

  /** A connection to the checked address: straight for a bypass host, else through the upstream. */
  private route(hostname: string, address: string, port: number): Promise<Duplex> {
    return isBypassed(hostname, this.options.upstream.bypassHosts ?? []) ? connectDirect(address, port, this.options.connectTimeoutMs) : this.openTunnel(address, port);
  }

  /** A CONNECT tunnel through the upstream proxy to address:port. */
  private async openTunnel(address: string, port: number): Promise<Duplex> {
    const u = this.options.upstream;
    // An account's proxy: its address is resolved and judged each time, and connected to as judged.
    const upstreamAddress = u.guarded ? await this.options.guard.resolve(u.host) : u.host;
    if (upstreamAddress === null) throw new UpstreamRefusedError(u.host);
    const target = `${net.isIPv6(address) ? `[${address}]` : address}:${port}`;
    const auth = u.username !== undefined ? `Proxy-Authorization: Basic ${Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')}\r\n` : '';
    return new Promise<Duplex>((resolve, reject) => {
      const socket: net.Socket =
        u.protocol === 'https'
          ? tls.connect({ host: upstreamAddress, port: u.port, servername: net.isIP(u.host) ? undefined : u.host, ca: this.options.ca })
          : net.connect({ host: upstreamAddress, port: u.port });
      const fail = (err: Error) => {
        socket.destroy();
        reject(err);
      };
      socket.setTimeout(this.options.connectTimeoutMs, () => fail(new Error('timed out')));
      socket.once('error', fail);
      socket.once(u.protocol === 'https' ? 'secureConnect' : 'connect', () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`));
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffered.length > MAX_HEAD_BYTES) fail(new Error('answered CONNECT with an oversized head'));
          return;
        }
        socket.off('data', onData);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(buffered.subarray(0, end).toString('latin1'))?.[1];
        if (!status?.startsWith('2')) return fail(new Error(`answered CONNECT with ${status ?? 'something other than HTTP'}`));
        socket.setTimeout(0);
        socket.off('error', fail);
        const rest = buffered.subarray(end + 4);
        if (rest.length > 0) socket.unshift(rest);
        resolve(socket);
      };
      socket.on('data', onData);
    });
  }
}

/** Whether a host is one of the bypass entries: the name itself, or a subdomain of a "*.name" entry. */
export function isBypassed(hostname: string, entries: readonly string[]): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return entries.some((raw) => {
    const entry = raw.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    return entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry;
  });
}

/** One relay per configured upstream proxy, started and closed together. */
export class UpstreamRelays {
  private readonly relays = new Map<string, UpstreamRelay>();
  private started?: Promise<void>;

  constructor(upstreams: readonly UpstreamProxy[], guard: NetworkGuard, options: { connectTimeoutMs: number; ca?: string | Buffer }) {
    for (const upstream of upstreams) this.relays.set(upstream.id, new UpstreamRelay({ upstream, guard, ...options }));
  }

  start(): Promise<void> {
    this.started ??= Promise.all([...this.relays.values()].map((r) => r.start())).then(() => undefined);
    return this.started;
  }

  /** The loopback proxy URL of a proxy_id; one no longer configured (PROXIES changed since the create) fails the render. */
  urlOf(id: string): string {
    const relay = this.relays.get(id);
    if (!relay) throw new RenderInputError(`proxy_id ${JSON.stringify(id)} is not a proxy configured on this service`);
    return relay.url;
  }

  async close(): Promise<void> {
    await Promise.all([...this.relays.values()].map((r) => r.close()));
  }
}
