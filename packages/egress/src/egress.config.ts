// The egress package's configuration: which non-public hosts, addresses and networks rendered
// pages, callbacks and storage destinations may reach (URL_ALLOWLIST).
import { isIP } from 'node:net';
import { z } from 'zod';
import { defineFragment, listOf } from '@pixelfarm/env';

export interface EgressConfig {
  /** Hosts, addresses and CIDRs reachable although they are not public. */
  urlAllowlist: readonly string[];
}

/** Why a URL_ALLOWLIST entry is unusable, or null: a CIDR needs an address and a prefix length in range. */
export function allowlistProblem(entry: string): string | null {
  const [addr, bits, ...rest] = entry.split('/');
  const family = isIP(addr!.replace(/^\[|\]$/g, ''));
  if (bits === undefined) return family || /^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i.test(entry) ? null : 'not a host name, address or CIDR';
  if (!family || rest.length > 0) return /^[a-z0-9_.-]+$/i.test(addr!) ? 'a CIDR must start with an IPv4 or IPv6 address' : 'not a host name, address or CIDR';
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `the prefix length must be a whole number from 0 to ${max}`;
  return null;
}

export const egressConfig = defineFragment({
  env: {
    /**
     * Comma-separated hosts, addresses and CIDRs that rendered pages and callbacks may reach
     * although they are not public (internal sites, a fixture server). Default: none.
     */
    URL_ALLOWLIST: z
      .string()
      .default('')
      .superRefine((value, ctx) => {
        for (const entry of listOf(value)) {
          const problem = allowlistProblem(entry);
          if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)}: ${problem}` });
        }
      }),
  },
  build: (e): EgressConfig => ({ urlAllowlist: listOf(e.URL_ALLOWLIST) }),
});
