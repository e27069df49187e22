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

  override async get(account: string, id: string): Promise<DestinationRecord | null> {
    const record = await super.get(account, id);
    return record && upgraded(record);
  }

  /** Every destination of the account, oldest first. */
  override async list(account: string): Promise<DestinationRecord[]> {
    return (await super.list(account)).map(upgraded).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }
}

/** A stored record, with the fields records saved before destinations had providers and test results. */
function upgraded(stored: DestinationRecord): DestinationRecord {
  return {
    ...stored,
    provider: stored.provider ?? 'other_s3_compatible',
    role_arn: stored.role_arn ?? null,
    cloudflare_account_id: stored.cloudflare_account_id ?? null,
    cloudflare_jurisdiction: stored.cloudflare_jurisdiction ?? null,
    last_tested_at: stored.last_tested_at ?? null,
    last_test_succeeded: stored.last_test_succeeded ?? null,
    last_test_error: stored.last_test_error ?? null,
  };
}
