// The only way out of the browser: an HTTP forward proxy on loopback that every page request
// (http, https and websockets, subresources, iframes, fetch, redirects) goes through. It
// resolves each host once, checks the addresses with the NetworkGuard, and connects to the
// checked address itself, so DNS rebinding between check and connect cannot happen.
// (Request interception alone is not enough: the browser would resolve the name again.)
// The server is proxy-server.ts; this proxy connects to the checked address directly.
import type { EgressRefusal, NetworkGuard } from '@pixelfarm/egress';
import { connectDirect, ProxyServer } from './proxy-server';

export interface EgressProxyOptions {
  guard: NetworkGuard;
  /** Called for each refused destination, with the policy's reason (metrics, logs). */
  onBlocked?: (host: string, reason: EgressRefusal) => void;
  /** Longest a connection to a site may take to open. */
  connectTimeoutMs: number;
}

export class EgressProxy extends ProxyServer {
  constructor(options: EgressProxyOptions) {
    const timeoutMs = options.connectTimeoutMs;
    super({ guard: options.guard, onBlocked: options.onBlocked, upstream: { connect: (_host, address, port) => connectDirect(address, port, timeoutMs), plainHttp: { direct: { timeoutMs } } } });
  }
}
