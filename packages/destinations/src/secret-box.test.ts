// The sealing of destination secrets: round trip, tampering, the wrong key, the wrong
// destination, rotation through DESTINATIONS_KEY, and the key list's validation.
import { randomBytes } from 'node:crypto';
import { DEV_DESTINATIONS_KEY, parseDestinationKeys, SecretBox, SecretBoxError } from './secret-box';

const key = () => randomBytes(32).toString('base64');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('SecretBox', () => {
  const [k1, k2] = [key(), key()];

  it('seals to a versioned form that names its key, never holding the secret, and opens it back', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal(SECRET, 'acme', 'sd-1');
    expect(sealed).toMatch(/^v1\.[0-9a-f]{12}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain(Buffer.from(SECRET).toString('base64url'));
    expect(box.open(sealed, 'acme', 'sd-1')).toBe(SECRET);
    // A fresh IV each time: the same secret never seals to the same text.
    expect(box.seal(SECRET, 'acme', 'sd-1')).not.toBe(sealed);
  });

  it('refuses a sealed secret altered anywhere', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal(SECRET, 'acme', 'sd-1');
    const parts = sealed.split('.');
    for (const i of [2, 3, 4]) {
      const bytes = Buffer.from(parts[i]!, 'base64url');
      bytes[0] ^= 1;
      const altered = parts.map((p, j) => (j === i ? bytes.toString('base64url') : p)).join('.');
      expect(() => box.open(altered, 'acme', 'sd-1')).toThrow(new SecretBoxError('the sealed secret does not open: it was altered, or belongs to another destination'));
    }
    expect(() => box.open(`v2${sealed.slice(2)}`, 'acme', 'sd-1')).toThrow('the sealed secret is not in a known format');
    expect(() => box.open('garbage', 'acme', 'sd-1')).toThrow(SecretBoxError);
  });

  it('opens only as the kind of record it was sealed for: a proxy password is no destination secret', () => {
    const sealed = new SecretBox([k1], 'proxy').seal(SECRET, 'acme', 'px-1');
    expect(new SecretBox([k1], 'proxy').open(sealed, 'acme', 'px-1')).toBe(SECRET);
    expect(() => new SecretBox([k1]).open(sealed, 'acme', 'px-1')).toThrow(SecretBoxError);
  });

  it('opens only for the account and destination it was sealed for', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal(SECRET, 'acme', 'sd-1');
    expect(() => box.open(sealed, 'other', 'sd-1')).toThrow(/altered, or belongs to another destination/);
    expect(() => box.open(sealed, 'acme', 'sd-2')).toThrow(/altered, or belongs to another destination/);
    // The separator keeps account and id apart: "ac" + "me\0sd-1" is not "acme" + "sd-1".
    expect(() => box.open(sealed, 'acme\0sd', '1')).toThrow(SecretBoxError);
  });

  it('does not open with another key, and says which key it needs', () => {
    const sealed = new SecretBox([k1]).seal(SECRET, 'acme', 'sd-1');
    const id = sealed.split('.')[1];
    expect(() => new SecretBox([k2]).open(sealed, 'acme', 'sd-1')).toThrow(`the secret is sealed with a key DESTINATIONS_KEY does not hold (key id ${id})`);
  });

  it('rotates: the first key seals, every listed key opens', () => {
    const old = new SecretBox([k1]).seal(SECRET, 'acme', 'sd-1');
    const rotated = new SecretBox([k2, k1]);
    expect(rotated.open(old, 'acme', 'sd-1')).toBe(SECRET);
    expect(rotated.isCurrent(old)).toBe(false);
    const resealed = rotated.seal(rotated.open(old, 'acme', 'sd-1'), 'acme', 'sd-1');
    expect(rotated.isCurrent(resealed)).toBe(true);
    // Once the old key is dropped, what was sealed again still opens.
    expect(new SecretBox([k2]).open(resealed, 'acme', 'sd-1')).toBe(SECRET);
  });
});

describe('parseDestinationKeys', () => {
  it('takes one key or a list, the sealing key first', () => {
    const [a, b] = [key(), key()];
    expect(parseDestinationKeys(a)).toEqual([a]);
    expect(parseDestinationKeys(` ${b} , ${a} `)).toEqual([b, a]);
    expect(parseDestinationKeys(DEV_DESTINATIONS_KEY)).toEqual([DEV_DESTINATIONS_KEY]);
  });

  it('names what is wrong without echoing a key', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseDestinationKeys(short)).toThrow('the key must hold 32 bytes, it holds 16 (generate one with: openssl rand -base64 32)');
    expect(() => parseDestinationKeys(`${key()},not base64!`)).toThrow('key 2 is not base64 (generate one with: openssl rand -base64 32)');
    expect(() => parseDestinationKeys(randomBytes(32).toString('hex'))).toThrow(/the key must hold 32 bytes, it holds 48/);
    const k = key();
    expect(() => parseDestinationKeys(`${k},${k}`)).toThrow('a key is listed twice');
    expect(() => parseDestinationKeys(' , ')).toThrow('no key given');
    try {
      parseDestinationKeys(`${short},${key()}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });
});
