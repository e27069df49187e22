// What an account owns, kept in object storage so that losing Redis loses no listing: one small
// index object per image under the account, named so that lexical order is newest first.
import type { StorageDriver } from './storage-driver';

/** One listed image: enough to answer GET /v1/images without reading the image's own record. */
export interface AccountImageEntry {
  id: string;
  created_at: string;
  /** Extension of the url returned at creation ("" for png). */
  ext: string;
  metadata?: Record<string, unknown>;
  /** The image's storage destination and whether its base object got there (shown by GET /v1/images). */
  storage_destination?: { id: string; keep_copy: boolean; status: 'pending' | 'stored' | 'failed'; error?: string };
}

export interface AccountImagePage {
  entries: AccountImageEntry[];
  /** Key of the last entry returned, to continue after; absent on the last page. */
  nextAfter?: string;
}

// Timestamps are inverted so the newest image sorts first; 13 digits cover ms until year 2286.
const MAX_MS = 9_999_999_999_999;

export const accountKeys = {
  images: (account: string) => `accounts/${account}/images/`,
  image: (account: string, createdAt: string, id: string) =>
    `accounts/${account}/images/${String(MAX_MS - Date.parse(createdAt)).padStart(13, '0')}-${id}.json`,
};

export class AccountImageIndex {
  constructor(private readonly storage: StorageDriver) {}

  /** Writes the entry; writing it again (same creation time and id) replaces it, e.g. with its destination's outcome. */
  async add(account: string, entry: AccountImageEntry): Promise<void> {
    const key = accountKeys.image(account, entry.created_at, entry.id);
    await this.storage.put(key, Buffer.from(JSON.stringify(entry)), 'application/json');
  }

  /** Sets the destination outcome on an image's entry; false when the entry is gone (the image was deleted). */
  async setDestination(account: string, createdAt: string, id: string, destination: AccountImageEntry['storage_destination']): Promise<boolean> {
    const key = accountKeys.image(account, createdAt, id);
    const raw = await this.storage.get(key);
    if (!raw) return false;
    const entry = { ...(JSON.parse(raw.toString('utf8')) as AccountImageEntry), storage_destination: destination };
    await this.storage.put(key, Buffer.from(JSON.stringify(entry)), 'application/json');
    return true;
  }

  async remove(account: string, createdAt: string, id: string): Promise<void> {
    await this.storage.delete(accountKeys.image(account, createdAt, id));
  }

  /** True when `key` is an index key of this account: page tokens are checked with it. */
  ownsKey(account: string, key: string): boolean {
    const prefix = accountKeys.images(account);
    return key.startsWith(prefix) && /^[0-9]{13}-[0-9a-f-]{36}\.json$/.test(key.slice(prefix.length));
  }

  /** Up to `limit` entries, newest first, after the key `after` (exclusive). */
  async page(account: string, limit: number, after?: string): Promise<AccountImagePage> {
    // One extra key tells whether another page exists. The filter and slice repeat what the
    // driver should already do, so a wrapper that drops list options still pages correctly.
    const keys = (await this.storage.list(accountKeys.images(account), { startAfter: after, limit: limit + 1 }))
      .filter((k) => after === undefined || k > after)
      .slice(0, limit + 1);
    const pageKeys = keys.slice(0, limit);
    const raw = await Promise.all(pageKeys.map((k) => this.storage.get(k)));
    // An entry deleted between the listing and the read is skipped rather than failing the page.
    const entries = raw.filter((b): b is Buffer => b !== null).map((b) => JSON.parse(b.toString('utf8')) as AccountImageEntry);
    return { entries, nextAfter: keys.length > limit ? pageKeys[pageKeys.length - 1] : undefined };
  }
}
