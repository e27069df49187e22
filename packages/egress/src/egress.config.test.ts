import { readFragment } from '@pixelfarm/env';
import { egressConfig } from '@pixelfarm/egress';

describe('egress configuration', () => {
  it('allows no private address by default and lists the configured entries', () => {
    expect(readFragment(egressConfig, {}, undefined)).toEqual({ urlAllowlist: [] });
    expect(readFragment(egressConfig, { URL_ALLOWLIST: 'intranet.example, 10.0.0.0/8' }, undefined).urlAllowlist).toEqual(['intranet.example', '10.0.0.0/8']);
  });

  it('names each unusable entry', () => {
    expect(() => readFragment(egressConfig, { URL_ALLOWLIST: '10.0.0.0/33,intranet/8' }, undefined)).toThrow(
      'Invalid configuration: URL_ALLOWLIST: "10.0.0.0/33": the prefix length must be a whole number from 0 to 32; URL_ALLOWLIST: "intranet/8": a CIDR must start with an IPv4 or IPv6 address',
    );
  });
});
