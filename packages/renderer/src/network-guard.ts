// Decides which addresses a rendered page may reach: public http(s) only, unless an operator
// allow-lists a host or CIDR (URL_ALLOWLIST). Private, loopback, link-local (cloud metadata)
// and unique-local ranges are refused, whatever spelling or DNS name leads there.
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  // IPv4-mapped and -translated forms reach IPv4 hosts; no renderable public page needs them.
  ['::ffff:0:0', 96],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

async function systemLookup(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

export class NetworkGuard {
  private readonly hosts = new Set<string>();
  private readonly allowed = new BlockList();

  /**
   * @param allowlist URL_ALLOWLIST entries: host names, addresses or CIDRs pages may reach although private.
   * @param lookup DNS resolution (all addresses of a name); tests inject one to play DNS tricks.
   */
  constructor(
    allowlist: readonly string[],
    private readonly lookup: (host: string) => Promise<string[]> = systemLookup,
  ) {
    for (const entry of allowlist) {
      const [addr, bits] = entry.split('/');
      const family = isIP(addr ?? '');
      if (family && bits) this.allowed.addSubnet(addr!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      else if (family) this.allowed.addAddress(addr!, family === 4 ? 'ipv4' : 'ipv6');
      else this.hosts.add(entry.toLowerCase());
    }
  }

  /** Whether a page may load this URL. Resolves DNS names and checks every address. */
  async isAllowed(rawUrl: string): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return false;
    }
    if (url.protocol === 'data:' || url.protocol === 'blob:' || rawUrl === 'about:blank') return true;
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ws:' && url.protocol !== 'wss:') return false;
    return (await this.resolve(url.hostname)) !== null;
  }

  /**
   * Resolves a host once and returns the address to connect to, or null when the host may not
   * be reached. Every address of the answer must pass (a mixed public/private answer is refused),
   * and the caller connects to the returned address, never resolving again: that is what
   * defeats DNS rebinding.
   */
  async resolve(hostname: string): Promise<string | null> {
    // WHATWG URL parsing already normalises decimal/octal/hex IPv4 spellings to dotted form.
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const byName = this.hosts.has(host);
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = await this.lookup(host);
      } catch {
        return null;
      }
    }
    if (addresses.length === 0) return null;
    if (!byName && !addresses.every((a) => this.addressAllowed(a))) return null;
    return addresses[0]!;
  }

  private addressAllowed(address: string): boolean {
    let addr = address;
    let family: 'ipv4' | 'ipv6' = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
    // IPv4-mapped IPv6 (::ffff:127.0.0.1) is checked as the IPv4 address it reaches.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
    if (mapped) {
      addr = mapped[1]!;
      family = 'ipv4';
    }
    if (this.allowed.check(addr, family)) return true;
    return !PRIVATE.check(addr, family);
  }
}
