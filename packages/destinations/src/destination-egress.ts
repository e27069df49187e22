// The egress policy of storage destinations, as hcti states it for custom
// endpoints: HTTPS, no credentials, path, query string or fragment, public addresses only.
// URL_ALLOWLIST opens a host (then plain http is allowed too, for an internal store). Every
// connection a destination's client makes resolves its host through the NetworkGuard and goes to
// the address that was checked (the agents' pinned lookup), so a DNS answer that changes between
// check and connect (rebinding) cannot lead a write to an internal address.
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { NetworkGuard } from '@pixelfarm/egress';
import { DestinationError } from './destination';

/** A destination host the egress policy refuses; nothing was sent to it. */
export class EgressRefusedError extends DestinationError {
  constructor(message: string) {
    super(message);
    this.name = 'EgressRefusedError';
  }
}

/** Why an endpoint is not a bare http(s) origin, or null. Its shape only: no DNS, no allow-list. */
export function endpointShapeProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'endpoint must be a URL such as https://s3.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'endpoint must be an https:// URL';
  if (url.username || url.password) return 'endpoint must not hold credentials: send them in access_key_id and secret_access_key';
  // `?` and `#` alone leave search and hash empty, so the text itself is looked at.
  if (url.pathname !== '/' || raw.includes('?') || raw.includes('#')) return 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment';
  return null;
}

export type DestinationGuard = Pick<NetworkGuard, 'resolve' | 'allowListed'>;

export class DestinationEgress {
  constructor(private readonly guard: DestinationGuard) {}

  /**
   * Why the endpoint breaks the policy before any DNS is asked (its shape, http to a host
   * URL_ALLOWLIST does not open), or null. Null endpoint: AWS S3, reached over https.
   */
  endpointProblem(endpoint: string | null): string | null {
    if (endpoint === null) return null;
    const shape = endpointShapeProblem(endpoint);
    if (shape) return shape;
    const url = new URL(endpoint);
    if (url.protocol === 'http:' && !this.guard.allowListed(url.hostname)) {
      return 'endpoint must use https (http is allowed only for a host URL_ALLOWLIST opens)';
    }
    return null;
  }

  /**
   * Resolves the host once and throws EgressRefusedError unless every address may be reached.
   * Literal addresses are never looked up by the agents, so this check is what judges them.
   */
  async checkHost(hostname: string): Promise<void> {
    const host = hostname.replace(/^\[|\]$/g, '');
    if ((await this.guard.resolve(host)) === null) throw refused(host);
  }

  /** Agents whose every connection resolves through the guard and connects to the address it checked. */
  agents(): { httpAgent: http.Agent; httpsAgent: https.Agent } {
    const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      this.guard.resolve(hostname).then(
        (address) => {
          if (address === null) return callback(refused(hostname));
          const family = isIP(address);
          // Node asks for every address (`all`) when it races IPv4 and IPv6; both shapes answer the checked one.
          if (options?.all) callback(null, [{ address, family }]);
          else callback(null, address, family);
        },
        (err: unknown) => callback(err),
      );
    }) as unknown as LookupFunction;
    return {
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 50, lookup }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 50, lookup }),
    };
  }
}

function refused(host: string): EgressRefusedError {
  return new EgressRefusedError(
    `the endpoint host ${host} is refused by the egress policy: it does not resolve, or resolves to a private, loopback or reserved address (URL_ALLOWLIST can open it)`,
  );
}
