// Content-derived identities: the same request always maps to the same hash (dedupe keys) and
// the same signed URL content to the same image id, so it renders once and is then served.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted and undefined members dropped: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, (v as Record<string, unknown>)[k]]),
    );
  });
}

/** SHA-256 (hex) of the parts, each length-prefixed so that ("ab","c") and ("a","bc") differ. */
export function contentHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:`).update(part);
  return hash.digest('hex');
}

/**
 * A UUID (RFC 9562 version 8, "custom") made from the content hash: stable for the same
 * content, unguessable without it, and accepted wherever an image id is.
 */
export function contentImageId(...parts: string[]): string {
  const bytes = Buffer.from(contentHash('image-id-v1', ...parts).slice(0, 32), 'hex');
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
