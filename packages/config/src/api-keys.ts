// Parses API_KEYS ("id:key,id2:key2") and checks Basic credentials in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { listOf } from '@pixelfarm/env';

export interface ApiKey {
  /** Public API id: the account an image belongs to. */
  id: string;
  /** Secret key: the Basic password and the HMAC key of signed URLs. */
  key: string;
}

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function parseApiKeys(raw: string): ApiKey[] {
  const keys = listOf(raw).map((pair) => {
    const at = pair.indexOf(':');
    if (at <= 0 || at === pair.length - 1) throw new Error(`expected id:key pairs separated by commas`);
    const id = pair.slice(0, at);
    const key = pair.slice(at + 1);
    if (!ID_PATTERN.test(id)) throw new Error(`API id "${id}" may only use letters, digits, . _ - (1-64 chars)`);
    if (key.length < 8) throw new Error(`the key of "${id}" must be at least 8 characters`);
    return { id, key };
  });
  if (keys.length === 0) throw new Error('no id:key pair given');
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error('an API id appears twice');
  return keys;
}

// Hash both sides first so timingSafeEqual sees equal lengths and the comparison time
// does not reveal the key's length.
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Returns the matching key for the pair, comparing every candidate in constant time. */
export function findApiKey(keys: readonly ApiKey[], id: string, key: string): ApiKey | undefined {
  let match: ApiKey | undefined;
  const idDigest = digest(id);
  const keyDigest = digest(key);
  for (const candidate of keys) {
    const idOk = timingSafeEqual(digest(candidate.id), idDigest);
    const keyOk = timingSafeEqual(digest(candidate.key), keyDigest);
    if (idOk && keyOk) match = candidate;
  }
  return match;
}

/** The secret key of an account (the HMAC key of its callbacks), or undefined when it is no longer configured. */
export function apiKeyOf(keys: readonly ApiKey[], id: string): string | undefined {
  return keys.find((k) => k.id === id)?.key;
}
