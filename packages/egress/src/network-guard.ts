// Decides which hosts a rendered page (and a callback) may reach: globally reachable addresses
// only (address-policy.ts), unless an operator allow-lists a host, address or CIDR
// (URL_ALLOWLIST). Whatever spelling or DNS name leads to a refused address is refused.
import { lookup } from 'node:dns/promises';
import { AddressSet, judgeAddress, parseAddress } from './address-policy';

async function systemLookup(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/** Why the egress policy refused a destination. */
export type EgressRefusal = 'unresolved' | 'not_public';

export class NetworkGuard {
  private readonly hosts = new Set<string>();
  private readonly allowed = new AddressSet();

  /**
   * @param allowlist URL_ALLOWLIST entries: host names, addresses or CIDRs pages may reach although not public.
   * @param lookup DNS resolution (all addresses of a name); tests inject one to play DNS tricks.
   */
  constructor(
    allowlist: readonly string[],
    private readonly lookup: (host: string) => Promise<string[]> = systemLookup,
  ) {
    for (const entry of allowlist) {
      if (!this.allowed.add(entry)) this.hosts.add(entry.toLowerCase());
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
    const verdict = await this.judge(hostname);
    return 'address' in verdict ? verdict.address : null;
  }

  /**
   * What resolve() decides, with the reason of a refusal: `unresolved` (no address for the
   * name) or `not_public` (an address is private, loopback or reserved and not allowlisted).
   */
  async judge(hostname: string): Promise<{ address: string } | { refused: EgressRefusal }> {
    // WHATWG URL parsing already normalises decimal/octal/hex IPv4 spellings to dotted form.
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const byName = this.hosts.has(host);
    const literal = parseAddress(host);
    let addresses: string[];
    // A literal is connected to in its normal spelling, the one that was judged.
    if (literal) addresses = [literal.toString()];
    else {
      try {
        addresses = await this.lookup(host);
      } catch {
        return { refused: 'unresolved' };
      }
    }
    if (addresses.length === 0) return { refused: 'unresolved' };
    if (!byName && !addresses.every((a) => this.addressAllowed(a))) return { refused: 'not_public' };
    return { address: addresses[0]! };
  }

  /**
   * Whether URL_ALLOWLIST itself opens the host: named in it, or a literal address inside one of
   * its entries. No DNS is asked, so a name is opened only by being listed. Storage destinations
   * allow plain http only to such hosts.
   */
  allowListed(hostname: string): boolean {
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (this.hosts.has(host)) return true;
    const literal = parseAddress(host);
    return literal !== null && this.allowed.has(literal);
  }

  /** The verdict on one address: allow-listed, or globally reachable. */
  addressAllowed(text: string): boolean {
    const address = parseAddress(text);
    if (!address) return false;
    return this.allowed.has(address) || judgeAddress(address).allowed;
  }
}
