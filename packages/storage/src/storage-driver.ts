// The only seam to object storage: every driver (filesystem, S3) implements this interface.
import type { Readable } from 'node:stream';
import { ValidationError } from '@pixelfarm/errors';

export interface ObjectInfo {
  size: number;
  contentType: string;
}

export interface StoredObject extends ObjectInfo {
  body: Readable;
}

/** A window of a listing: keys strictly after `startAfter`, at most `limit` of them. */
export interface ListOptions {
  /** Only keys lexically greater than this one (exclusive), for paging. */
  startAfter?: string;
  /** At most this many keys. Default: all. */
  limit?: number;
}

export interface StorageDriver {
  readonly name: string;
  /** Writes the whole object atomically: readers see the old object or the new one, never a part. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes, or null when it does not exist. */
  get(key: string): Promise<Buffer | null>;
  /** A stream of the object with its size, or null when it does not exist. */
  stream(key: string): Promise<StoredObject | null>;
  exists(key: string): Promise<boolean>;
  /** Size and type of the object without its bytes (HEAD, cache checks), or null when it does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Removes one object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every object whose key starts with prefix; returns how many were removed. */
  deletePrefix(prefix: string): Promise<number>;
  /** Keys under prefix, in lexical order; options select a page of them. */
  list(prefix: string, options?: ListOptions): Promise<string[]>;
  /** Throws when the store cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9/_.-]*$/;

/** Rejects keys that could escape the store's root (traversal, absolute paths, odd characters). */
export function assertSafeKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.') || key.includes('//')) {
    throw new ValidationError(`Invalid storage key`);
  }
}

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  pdf: 'application/pdf',
  json: 'application/json',
};

export function contentTypeFor(key: string): string {
  return TYPES[key.slice(key.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}
