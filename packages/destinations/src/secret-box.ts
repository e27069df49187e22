// Seals the secret access key of a storage destination before it is stored:
// AES-256-GCM under a key of DESTINATIONS_KEY, with the account and destination id as
// additional data, so a sealed secret copied into another destination's record does not open.
// DESTINATIONS_KEY may list several keys: the first seals, every one opens, which is how a key
// is rotated (add the new key first, re-save the destinations, then drop the old one).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { listOf } from '@pixelfarm/env';

/** The sealed form: `v1.<key id>.<iv>.<ciphertext>.<tag>`, the last three base64url. */
const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The key used when DESTINATIONS_KEY is unset and the server runs with the development API key:
 * public (it is derived from a fixed text, in the source), so it protects nothing.
 */
export const DEV_DESTINATIONS_KEY = createHash('sha256').update('pixelfarm development destinations key').digest('base64');

/** A secret that could not be opened: sealed under a key no longer configured, or altered. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Parses DESTINATIONS_KEY: base64 keys of 32 bytes, comma-separated, the sealing key first.
 * Throws with what is wrong, naming the entry by its position, never echoing a key.
 */
export function parseDestinationKeys(raw: string): string[] {
  const keys = listOf(raw);
  if (keys.length === 0) throw new Error('no key given');
  keys.forEach((key, i) => {
    const name = keys.length > 1 ? `key ${i + 1}` : 'the key';
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) throw new Error(`${name} is not base64 (generate one with: openssl rand -base64 32)`);
    const bytes = Buffer.from(key, 'base64').length;
    if (bytes !== KEY_BYTES) throw new Error(`${name} must hold ${KEY_BYTES} bytes, it holds ${bytes} (generate one with: openssl rand -base64 32)`);
  });
  if (new Set(keys).size !== keys.length) throw new Error('a key is listed twice');
  return keys;
}

interface BoxKey {
  id: string;
  bytes: Buffer;
}

/** The id a sealed secret names its key by: a short hash of the key, which reveals nothing of it. */
function keyId(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

/**
 * What a sealed secret is bound to: it opens only for the record it was sealed for, of the kind
 * it was sealed for (a proxy's password does not open as a destination's secret).
 */
function additionalData(purpose: string, account: string, recordId: string): Buffer {
  return Buffer.from(`pixelfarm ${purpose} secret ${VERSION}\0${account}\0${recordId}`, 'utf8');
}

export class SecretBox {
  private readonly keys: BoxKey[];

  /**
   * @param keys base64 keys of 32 bytes (parseDestinationKeys): the first seals, every one opens.
   * @param purpose the kind of record the secrets belong to. Default 'destination'.
   */
  constructor(
    keys: readonly string[],
    private readonly purpose = 'destination',
  ) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    this.keys = keys.map((k) => {
      const bytes = Buffer.from(k, 'base64');
      if (bytes.length !== KEY_BYTES) throw new Error(`a SecretBox key must hold ${KEY_BYTES} bytes`);
      return { id: keyId(bytes), bytes };
    });
  }

  seal(secret: string, account: string, destinationId: string): string {
    const key = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(this.purpose, account, destinationId));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [VERSION, key.id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** The secret, or SecretBoxError when its key is not configured or it was altered or moved. */
  open(sealed: string, account: string, destinationId: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('the sealed secret is not in a known format');
    const [, id, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    const key = this.keys.find((k) => k.id === id);
    if (!key) throw new SecretBoxError(`the secret is sealed with a key DESTINATIONS_KEY does not hold (key id ${id})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(this.purpose, account, destinationId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('the sealed secret does not open: it was altered, or belongs to another destination');
    }
  }

  /** Whether the secret is sealed with the current (first) key; false means it should be sealed again. */
  isCurrent(sealed: string): boolean {
    return sealed.split('.')[1] === this.keys[0]!.id;
  }
}
