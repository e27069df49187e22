// PROXIES: the named upstream HTTP(S) proxies a render may send its page traffic through
// (proxy_id, hcti guides/advanced/proxies.md). Written as `id=url` pairs separated by commas,
// credentials in the url's user info (percent-encoded), for example
//   PROXIES=corp=https://user:p%40ss@proxy.internal:8443,eu=http://10.0.0.5:3128
// The list usually holds secrets: mount it from a Secret, and never log it.
import type { UpstreamProxy } from '@pixelfarm/egress';
import { listOf } from '@pixelfarm/env';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Parses PROXIES; returns the proxies, or the problems (each naming the entry, never its credentials). */
export function parseUpstreamProxies(text: string): { proxies: UpstreamProxy[]; problems: string[] } {
  const proxies: UpstreamProxy[] = [];
  const problems: string[] = [];
  for (const entry of listOf(text)) {
    const eq = entry.indexOf('=');
    const id = eq > 0 ? entry.slice(0, eq).trim() : '';
    const problem = (what: string) => problems.push(`${id ? JSON.stringify(id) : 'an entry'}: ${what}`);
    if (!ID.test(id)) {
      problem('each entry is id=url, with an id of letters, digits, - and _ (at most 64)');
      continue;
    }
    if (proxies.some((p) => p.id === id)) {
      problem('is listed twice');
      continue;
    }
    let url: URL;
    try {
      url = new URL(entry.slice(eq + 1).trim());
    } catch {
      problem('the url is not a URL such as https://user:password@proxy.example:8443');
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      problem('the proxy url must be http:// or https://');
      continue;
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      problem('the proxy url takes no path, query or fragment');
      continue;
    }
    proxies.push({
      id,
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      ...(url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {}),
    });
  }
  return { proxies, problems };
}
