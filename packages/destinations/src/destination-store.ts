// Storage destinations in our own object storage, under the owning account:
// `accounts/<account>/destinations/<id>.json` holds the settings and the sealed secret (never
// the plain one, see secret-box.ts). Another account's destination is simply not found.
import { AccountRecords, type StorageDriver } from '@pixelfarm/storage';
import type { StorageDestination } from './destination';
import { isDestinationId } from './destination-id';

/** What is stored: the destination and its secret access key sealed by the SecretBox. */
export interface DestinationRecord extends StorageDestination {
  sealed_secret: string;
}

export class DestinationStore extends AccountRecords<DestinationRecord> {
  constructor(storage: StorageDriver) {
    super(storage, 'destinations', isDestinationId);
  }

  /** Every destination of the account, oldest first. */
  override async list(account: string): Promise<DestinationRecord[]> {
    return (await super.list(account)).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }
}
