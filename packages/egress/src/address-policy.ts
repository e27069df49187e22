// Which IP addresses rendered pages and callbacks may reach: globally reachable unicast only,
// as the IANA IPv4 and IPv6 special-purpose address registries define it, judged by ipaddr.js
// (a maintained classifier) rather than a table of our own. IPv6 forms that carry an IPv4
// address (mapped, translated, IPv4-compatible, NAT64, 6to4, Teredo) are judged by the IPv4
// address they lead to, so none of them is a way round the IPv4 rules.
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/** The verdict on one address, with the registry range that decided it (for logs and errors). */
export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js' range name ('unicast', 'private', 'loopback', ...), or 'localUseNat64'. */
  range: string;
  /** The IPv4 address an IPv6 form carries, when that is what was judged. */
  via?: string;
}

// ipaddr.js' IPv4 ranges that IANA marks "Globally Reachable: True" (AS112 and AMT serve
// public anycast); every other named range (private, loopback, linkLocal, carrierGradeNat,
// reserved: the documentation, benchmarking and 192.0.0.0/24 blocks, multicast, broadcast,
// unspecified) is refused.
const GLOBAL_V4 = new Set(['unicast', 'as112', 'amt']);
// Likewise for IPv6; 'unicast' is further held to 2000::/3 below.
const GLOBAL_V6 = new Set(['unicast', 'as112v6', 'amt', 'orchid2', 'droneRemoteIdProtocolEntityTags']);

// ipaddr.js files the local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215) with the well-known
// one as 'rfc6052', but IANA marks only 64:ff9b::/96 globally reachable: a local-use prefix
// leads to a private translator, whatever IPv4 address it carries.
const LOCAL_USE_NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b:1::/48');
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

/** Parses an address in any spelling ipaddr.js accepts (brackets and zone ids allowed); null when it is none. */
export function parseAddress(text: string): IPv4 | IPv6 | null {
  const bare = text.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : null;
}

/** Whether an address may be reached from user input without an operator's allow-list. */
export function judgeAddress(address: IPv4 | IPv6): AddressVerdict {
  if (address.kind() === 'ipv4') return judgeV4(address as IPv4);
  const v6 = address as IPv6;
  if (v6.match(LOCAL_USE_NAT64)) return { allowed: false, range: 'localUseNat64' };
  const carried = embeddedIPv4(v6);
  if (carried) {
    const verdicts = carried.map(judgeV4);
    const refused = verdicts.find((v) => !v.allowed);
    return { ...(refused ?? verdicts[0]!), via: carried.map(String).join(',') };
  }
  const range = v6.range();
  return { allowed: GLOBAL_V6.has(range) && v6.match(GLOBAL_UNICAST_V6), range };
}

function judgeV4(address: IPv4): AddressVerdict {
  const range = address.range();
  return { allowed: GLOBAL_V4.has(range), range };
}

/**
 * The IPv4 addresses an IPv6 address carries, or null for a native IPv6 address. Teredo
 * carries two (its server, and the client obfuscated by inverting its bits): both must pass.
 */
export function embeddedIPv4(address: IPv6): IPv4[] | null {
  const bytes = address.toByteArray();
  const v4 = (offset: number, invert = false) =>
    new ipaddr.IPv4(bytes.slice(offset, offset + 4).map((b) => (invert ? b ^ 0xff : b)));
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d, IPv4-translated (SIIT)
    case 'rfc6052': // 64:ff9b::a.b.c.d, the well-known NAT64 prefix (the local-use one is refused before)
      return [v4(12)];
    case '6to4': // 2002:AABB:CCDD::/48
      return [v4(2)];
    case 'teredo': // 2001:0:SSSS:SSSS:flags:port:~CCCC:~CCCC
      return [v4(4), v4(12, true)];
    default:
      // IPv4-compatible ::a.b.c.d (deprecated, RFC 4291); :: and ::1 are their own ranges.
      if (address.match(IPV4_COMPATIBLE) && !['unspecified', 'loopback'].includes(address.range())) return [v4(12)];
      return null;
  }
}

/** An operator's URL_ALLOWLIST address or CIDR entry, matched across the v4/v6 spellings of one host. */
export class AddressSet {
  private readonly v4: Array<[IPv4, number]> = [];
  private readonly v6: Array<[IPv6, number]> = [];

  /** Adds an address or CIDR; returns false when the entry is neither (a host name). */
  add(entry: string): boolean {
    const slash = entry.indexOf('/');
    const addr = parseAddress(slash === -1 ? entry : entry.slice(0, slash));
    if (!addr) return false;
    const bits = slash === -1 ? (addr.kind() === 'ipv4' ? 32 : 128) : Number(entry.slice(slash + 1));
    if (addr.kind() === 'ipv4') this.v4.push([addr as IPv4, bits]);
    else this.v6.push([addr as IPv6, bits]);
    return true;
  }

  has(address: IPv4 | IPv6): boolean {
    // ::ffff:10.0.0.1 is the same host as 10.0.0.1, so an entry in either spelling covers both.
    const plain = address.kind() === 'ipv6' && (address as IPv6).isIPv4MappedAddress() ? (address as IPv6).toIPv4Address() : address;
    if (plain.kind() === 'ipv4') return this.v4.some((cidr) => (plain as IPv4).match(cidr));
    return this.v6.some((cidr) => (plain as IPv6).match(cidr));
  }
}
