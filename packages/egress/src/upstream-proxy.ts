// An upstream HTTP(S) proxy a render's page traffic goes through (proxy_id): an operator's
// (PROXIES) or an account's own (/v1/proxies). The egress policy still judges every destination
// reached through it, and, for an account's proxy, the proxy's own address too.

export interface UpstreamProxy {
  /** What a create names in proxy_id. */
  id: string;
  protocol: 'http' | 'https';
  host: string;
  port: number;
  /** Proxy-Authorization: Basic credentials, when the proxy authenticates. */
  username?: string;
  password?: string;
  /** Hosts reached without the proxy (still under the egress policy): a name, or "*.name" for its subdomains. */
  bypassHosts?: readonly string[];
  /** The proxy's own address is judged by the egress policy on every connection (an account's proxy; an operator's is trusted). */
  guarded?: boolean;
}
