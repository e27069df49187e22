// The egress address policy against the IANA special-purpose registries, one row per address:
// every IPv4 and IPv6 special-purpose block, every IPv6 form that carries an IPv4 address,
// and ordinary public addresses of both families.
import { judgeAddress, parseAddress } from './address-policy';
import { NetworkGuard } from './network-guard';

const PUBLIC = true;
const REFUSED = false;

const TABLE: Array<[string, boolean, string]> = [
  // Ordinary public IPv4.
  ['8.8.8.8', PUBLIC, 'public DNS resolver'],
  ['1.1.1.1', PUBLIC, 'public DNS resolver'],
  ['93.184.215.14', PUBLIC, 'a public web host'],
  ['151.101.1.69', PUBLIC, 'a CDN edge'],
  ['172.15.255.255', PUBLIC, 'just below 172.16.0.0/12'],
  ['172.32.0.0', PUBLIC, 'just above 172.16.0.0/12'],
  ['100.63.255.255', PUBLIC, 'just below 100.64.0.0/10'],
  ['100.128.0.0', PUBLIC, 'just above 100.64.0.0/10'],
  ['11.0.0.1', PUBLIC, 'just above 10.0.0.0/8'],
  ['223.255.255.254', PUBLIC, 'the top of unicast space'],
  ['192.31.196.1', PUBLIC, 'AS112-v4 (IANA: globally reachable)'],
  ['192.52.193.1', PUBLIC, 'AMT (IANA: globally reachable)'],
  ['192.175.48.1', PUBLIC, 'Direct Delegation AS112 (IANA: globally reachable)'],
  // IPv4 special-purpose registry.
  ['0.0.0.0', REFUSED, '"this host" 0.0.0.0/32'],
  ['0.1.2.3', REFUSED, '"this network" 0.0.0.0/8'],
  ['10.0.0.1', REFUSED, 'private 10/8'],
  ['10.255.255.255', REFUSED, 'private 10/8'],
  ['100.64.0.1', REFUSED, 'shared address space (CGN) 100.64/10'],
  ['127.0.0.1', REFUSED, 'loopback'],
  ['127.255.255.254', REFUSED, 'loopback'],
  ['169.254.169.254', REFUSED, 'link-local: cloud metadata'],
  ['169.254.0.1', REFUSED, 'link-local'],
  ['172.16.0.1', REFUSED, 'private 172.16/12'],
  ['172.31.255.255', REFUSED, 'private 172.16/12'],
  ['192.0.0.1', REFUSED, 'IETF protocol assignments 192.0.0.0/24'],
  ['192.0.0.8', REFUSED, 'IPv4 dummy address'],
  ['192.0.0.170', REFUSED, 'NAT64/DNS64 discovery'],
  ['192.0.2.1', REFUSED, 'documentation TEST-NET-1'],
  ['192.88.99.1', REFUSED, 'deprecated 6to4 relay anycast'],
  ['192.168.0.1', REFUSED, 'private 192.168/16'],
  ['198.18.0.1', REFUSED, 'benchmarking 198.18/15'],
  ['198.19.255.255', REFUSED, 'benchmarking 198.18/15'],
  ['198.51.100.1', REFUSED, 'documentation TEST-NET-2'],
  ['203.0.113.1', REFUSED, 'documentation TEST-NET-3'],
  ['224.0.0.1', REFUSED, 'multicast'],
  ['239.255.255.250', REFUSED, 'multicast (SSDP)'],
  ['240.0.0.1', REFUSED, 'reserved 240/4'],
  ['255.255.255.255', REFUSED, 'limited broadcast'],
  // Ordinary public IPv6.
  ['2001:4860:4860::8888', PUBLIC, 'public DNS resolver'],
  ['2606:4700:4700::1111', PUBLIC, 'public DNS resolver'],
  ['2a00:1450:4001:82b::200e', PUBLIC, 'a public web host'],
  ['2620:fe::fe', PUBLIC, 'a public resolver'],
  ['2001:4:112::1', PUBLIC, 'AS112-v6 (IANA: globally reachable)'],
  ['2620:4f:8000::1', PUBLIC, 'Direct Delegation AS112 (IANA: globally reachable)'],
  // IPv6 special-purpose registry.
  ['::', REFUSED, 'unspecified'],
  ['::1', REFUSED, 'loopback'],
  ['100::1', REFUSED, 'discard-only 100::/64'],
  ['2001:2::1', REFUSED, 'benchmarking 2001:2::/48'],
  ['2001:10::1', REFUSED, 'deprecated ORCHID'],
  ['2001:db8::1', REFUSED, 'documentation 2001:db8::/32'],
  ['2001:100::1', REFUSED, 'IETF protocol assignments 2001::/23'],
  ['3fff::1', REFUSED, 'documentation 3fff::/20 (RFC 9637)'],
  ['5f00::1', REFUSED, 'SRv6 SIDs 5f00::/16 (RFC 9602)'],
  ['fc00::1', REFUSED, 'unique local'],
  ['fd00::1', REFUSED, 'unique local'],
  ['fe80::1', REFUSED, 'link-local'],
  ['fec0::1', REFUSED, 'deprecated site-local (outside 2000::/3)'],
  ['ff02::1', REFUSED, 'multicast'],
  ['4000::1', REFUSED, 'unassigned, outside 2000::/3'],
  ['1000::1', REFUSED, 'unassigned, outside 2000::/3'],
  // IPv4 inside IPv6: judged as the IPv4 address.
  ['::ffff:8.8.8.8', PUBLIC, 'IPv4-mapped public'],
  ['::ffff:127.0.0.1', REFUSED, 'IPv4-mapped loopback'],
  ['::ffff:7f00:2', REFUSED, 'IPv4-mapped loopback in hex'],
  ['::ffff:169.254.169.254', REFUSED, 'IPv4-mapped metadata'],
  ['::ffff:0:7f00:1', REFUSED, 'IPv4-translated (SIIT) loopback'],
  ['::ffff:0:808:808', PUBLIC, 'IPv4-translated (SIIT) public'],
  ['::7f00:1', REFUSED, 'IPv4-compatible loopback'],
  ['::a9fe:a9fe', REFUSED, 'IPv4-compatible metadata'],
  ['::808:808', PUBLIC, 'IPv4-compatible public'],
  ['64:ff9b::a9fe:a9fe', REFUSED, 'NAT64 well-known prefix, metadata'],
  ['64:ff9b::10.0.0.1', REFUSED, 'NAT64 well-known prefix, private'],
  ['64:ff9b::808:808', PUBLIC, 'NAT64 well-known prefix, public'],
  ['64:ff9b:1::a9fe:a9fe', REFUSED, 'local-use NAT64 (RFC 8215), metadata'],
  ['64:ff9b:1::808:808', REFUSED, 'local-use NAT64 (RFC 8215): a private translator, whatever it carries'],
  ['2002:a9fe:a9fe::1', REFUSED, '6to4 of the metadata address'],
  ['2002:7f00:1::1', REFUSED, '6to4 of loopback'],
  ['2002:c0a8:101::1', REFUSED, '6to4 of 192.168.1.1'],
  ['2002:808:808::1', PUBLIC, '6to4 of a public address'],
  // Teredo: server 65.54.227.120; client is the last 32 bits inverted.
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', PUBLIC, 'Teredo, server 65.54.227.120 and client 8.8.8.8'],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', REFUSED, 'Teredo, client 127.0.0.1'],
  ['2001:0:a00:1:8000:63bf:f7f7:f7f7', REFUSED, 'Teredo, server 10.0.0.1'],
  ['2001:0:4136:e378:8000:63bf:5601:5601', REFUSED, 'Teredo, client 169.254.169.254'],
];

describe('address policy (IANA special-purpose registries)', () => {
  it('has a row for at least 60 addresses', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(60);
  });

  it.each(TABLE)('%s → public=%s (%s)', (text, expected) => {
    const address = parseAddress(text);
    expect(address).not.toBeNull();
    expect(judgeAddress(address!).allowed).toBe(expected);
  });

  it('names the IPv4 address an IPv6 form carries', () => {
    expect(judgeAddress(parseAddress('2002:a9fe:a9fe::1')!)).toEqual({ allowed: false, range: 'linkLocal', via: '169.254.169.254' });
    expect(judgeAddress(parseAddress('64:ff9b::808:808')!)).toMatchObject({ allowed: true, via: '8.8.8.8' });
  });
});

describe('NetworkGuard with URL_ALLOWLIST', () => {
  const guard = new NetworkGuard(['10.1.0.0/16', '192.168.7.7', 'fd00:1::/32', 'intranet.example'], async (host) => {
    const dns: Record<string, string[]> = {
      'intranet.example': ['10.9.9.9'],
      'public.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      'mixed.example': ['93.184.215.14', '10.0.0.1'],
      'mapped.example': ['::ffff:169.254.169.254'],
    };
    if (!dns[host]) throw new Error('ENOTFOUND');
    return dns[host]!;
  });

  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['192.168.7.7', '192.168.7.7'],
    ['[fd00:1::5]', 'fd00:1::5'],
    ['intranet.example', '10.9.9.9'],
    ['public.example', '93.184.215.14'],
    ['8.8.8.8', '8.8.8.8'],
  ])('opens %s', async (host, address) => {
    expect(await guard.resolve(host)).toBe(address);
  });

  it.each(['10.2.0.1', '192.168.7.8', '[fd00:2::1]', 'mixed.example', 'mapped.example', '169.254.169.254', 'nowhere.example'])(
    'keeps %s shut',
    async (host) => {
      expect(await guard.resolve(host)).toBeNull();
    },
  );
});

describe('NetworkGuard.allowListed (what URL_ALLOWLIST itself opens, without DNS)', () => {
  const guard = new NetworkGuard(['10.1.0.0/16', '127.0.0.1', 'intranet.example'], async () => {
    throw new Error('allowListed must not ask DNS');
  });

  it.each(['10.1.2.3', '[::ffff:10.1.2.3]', '127.0.0.1', 'INTRANET.example'])('opens %s', (host) => {
    expect(guard.allowListed(host)).toBe(true);
  });

  it.each(['10.2.0.1', '127.0.0.2', 'public.example', '8.8.8.8', 'sub.intranet.example'])('does not open %s', (host) => {
    expect(guard.allowListed(host)).toBe(false);
  });
});
