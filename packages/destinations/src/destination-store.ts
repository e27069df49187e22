// Storage destinations in our own object storage, under the owning account:
// `accounts/<account>/destinations/<id>.json` holds the settings and the sealed secret (never
// the plain one, see secret-box.ts). Another account's destination is simply not found.
import type { StorageDriver } from '@pixelfarm/storage';
import type { StorageDestination } from './destination';
import { isDestinationId } from './destination-id';

/** What is stored: the destination and its secret access key sealed by the SecretBox. */
export interface DestinationRecord extends StorageDestination {
  sealed_secret: string;
}

export const destinationKeys = {
  all: (account: string) => `accounts/${account}/destinations/`,
  one: (account: string, id: string) => `accounts/${account}/destinations/${id}.json`,
};

export class DestinationStore {
  constructor(private readonly storage: StorageDriver) {}

  async save(record: DestinationRecord): Promise<void> {
    await this.storage.put(destinationKeys.one(record.account, record.id), Buffer.from(JSON.stringify(record)), 'application/json');
  }

  /** The account's destination, or null when it has none of that id. */
  async get(account: string, id: string): Promise<DestinationRecord | null> {
    if (!isDestinationId(id)) return null;
    const raw = await this.storage.get(destinationKeys.one(account, id));
    return raw ? (JSON.parse(raw.toString('utf8')) as DestinationRecord) : null;
  }

  /** Every destination of the account, oldest first. */
  async list(account: string): Promise<DestinationRecord[]> {
    const keys = (await this.storage.list(destinationKeys.all(account))).filter((k) => k.endsWith('.json'));
    const raw = await Promise.all(keys.map((k) => this.storage.get(k)));
    return raw
      .filter((b): b is Buffer => b !== null)
      .map((b) => JSON.parse(b.toString('utf8')) as DestinationRecord)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  /** How many destinations the account has (without reading them). */
  async count(account: string): Promise<number> {
    return (await this.storage.list(destinationKeys.all(account))).filter((k) => k.endsWith('.json')).length;
  }

  /** Removes the settings and the sealed secret; removing a missing one is not an error. */
  async delete(account: string, id: string): Promise<void> {
    if (isDestinationId(id)) await this.storage.delete(destinationKeys.one(account, id));
  }
}
