// Accounts' own upstream proxies (hcti management-api/proxies, guides/advanced/proxies): a render
// that names one in proxy_id sends its page traffic through it. The types every side shares: the
// API manages them and checks a create's proxy_id; the worker opens one for a render.
import type { UpstreamProxy } from '@pixelfarm/egress';

/** A proxy as its account sees it (hcti's answer): every setting except the password. */
export interface AccountProxy {
  /** "px-<uuid>": the proxy_id of creates. */
  id: string;
  name: string;
  /** The proxy's http(s) origin as sent, without port or credentials. */
  url: string;
  /** The port in use: the one sent, or 80 / 443 by the url's scheme. */
  port: number;
  /** Hosts the render reaches without the proxy (lowercase, no duplicates). */
  bypass_hosts: string[];
  /** The username when the proxy authenticates (an empty one is valid), null when it does not. */
  username: string | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

/** What is stored: the proxy, its account, and its password sealed by the SecretBox (null without authentication). */
export interface AccountProxyRecord extends AccountProxy {
  account: string;
  sealed_password: string | null;
}

/** An account's proxy opened for a render: its password opened, its bypass hosts, its own address guarded. */
export type AccountUpstream = UpstreamProxy & { bypassHosts: readonly string[]; guarded: true };
