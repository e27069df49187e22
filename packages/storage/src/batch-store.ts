// Bulk job manifests: which image is which item of a batch, in order, stored under the owning
// account like the rest of what it owns. Written once when the batch is accepted; progress
// lives in Redis. An account only ever reads its own prefix, so another account's batch is
// simply not found.
import type { StorageDriver } from './storage-driver';

export interface BatchManifest {
  batch_id: string;
  account: string;
  created_at: string;
  /**
   * [image id, url extension ("" for png)] per item, in the order of the variations, and 'store'
   * for an image kept only in its storage destination (its url is /v1/store/…).
   */
  items: [id: string, ext: string, route?: 'store'][];
}

export const batchKeys = {
  manifest: (account: string, batchId: string) => `accounts/${account}/batches/${batchId}.json`,
};

export class BatchStore {
  constructor(private readonly storage: StorageDriver) {}

  async save(manifest: BatchManifest): Promise<void> {
    const key = batchKeys.manifest(manifest.account, manifest.batch_id);
    await this.storage.put(key, Buffer.from(JSON.stringify(manifest)), 'application/json');
  }

  async get(account: string, batchId: string): Promise<BatchManifest | null> {
    const raw = await this.storage.get(batchKeys.manifest(account, batchId));
    return raw ? (JSON.parse(raw.toString('utf8')) as BatchManifest) : null;
  }

  async delete(account: string, batchId: string): Promise<void> {
    await this.storage.delete(batchKeys.manifest(account, batchId));
  }
}
