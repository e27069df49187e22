// Settings an account keeps with us, one JSON object per record under the owning account:
// `accounts/<account>/<kind>/<id>.json` (storage destinations, proxies, Open Graph
// configurations). Another account's record is simply not found, and an id of the wrong shape
// never reaches the store.
import type { StorageDriver } from './storage-driver';

/** What every record carries. */
export interface AccountRecord {
  id: string;
  account: string;
}

export class AccountRecords<T extends AccountRecord> {
  /**
   * @param kind the folder under the account, e.g. "proxies".
   * @param isId whether a text has the shape of this kind's ids.
   */
  constructor(
    private readonly storage: StorageDriver,
    private readonly kind: string,
    private readonly isId: (id: string) => boolean,
  ) {}

  /** The folder of the account's records of this kind. */
  folder(account: string): string {
    return `accounts/${account}/${this.kind}/`;
  }

  /** The object of one record. */
  key(account: string, id: string): string {
    return `${this.folder(account)}${id}.json`;
  }

  async save(record: T): Promise<void> {
    await this.storage.put(this.key(record.account, record.id), Buffer.from(JSON.stringify(record)), 'application/json');
  }

  /** The account's record, or null when it has none of that id. */
  async get(account: string, id: string): Promise<T | null> {
    if (!this.isId(id)) return null;
    const raw = await this.storage.get(this.key(account, id));
    return raw ? (JSON.parse(raw.toString('utf8')) as T) : null;
  }

  /** Every record of the account, in no particular order. */
  async list(account: string): Promise<T[]> {
    const raw = await Promise.all((await this.keys(account)).map((k) => this.storage.get(k)));
    return raw.filter((b): b is Buffer => b !== null).map((b) => JSON.parse(b.toString('utf8')) as T);
  }

  /** How many records the account has (without reading them). */
  async count(account: string): Promise<number> {
    return (await this.keys(account)).length;
  }

  /** Removes the record; removing a missing one is not an error. */
  async delete(account: string, id: string): Promise<void> {
    if (this.isId(id)) await this.storage.delete(this.key(account, id));
  }

  private async keys(account: string): Promise<string[]> {
    return (await this.storage.list(this.folder(account))).filter((k) => k.endsWith('.json'));
  }
}
