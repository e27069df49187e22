// Signed URLs: the token is the lowercase hex HMAC-SHA256 of the raw query string, keyed with
// the account's API key. Every comparison runs in constant time over fixed-length digests.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '@pixelfarm/config';

export function signQuery(query: string, apiKey: string): string {
  return createHmac('sha256', apiKey).update(query, 'utf8').digest('hex');
}

// Lowercase is what clients send; uppercase hex (.NET's default) names the same bytes.
const TOKEN_PATTERN = /^[0-9a-fA-F]{64}$/;
// Compared against when the API id is unknown, so that case takes as long as a wrong token.
const NO_KEY = 'no key: unknown API id';

export class UrlSignatureVerifier {
  constructor(private readonly keys: readonly ApiKey[]) {}

  /** The account of `apiId` when its key signed `query` as `token`; undefined otherwise. */
  verifyFor(apiId: string, query: string, token: string): string | undefined {
    const key = this.keys.find((k) => k.id === apiId);
    const ok = tokenMatches(signQuery(query, key?.key ?? NO_KEY), token);
    return ok && key ? key.id : undefined;
  }

  /** Every account whose key signed `query` as `token` (templated URLs carry no API id). */
  signers(query: string, token: string): string[] {
    // All keys are tried, so the time taken does not tell which (if any) matched.
    return this.keys.filter((k) => tokenMatches(signQuery(query, k.key), token)).map((k) => k.id);
  }
}

function tokenMatches(expectedHex: string, given: string): boolean {
  const wellFormed = TOKEN_PATTERN.test(given);
  const expected = Buffer.from(expectedHex, 'hex');
  const actual = wellFormed ? Buffer.from(given, 'hex') : Buffer.alloc(expected.length);
  return timingSafeEqual(expected, actual) && wellFormed;
}
