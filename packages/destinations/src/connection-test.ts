// The connection test run before a destination is saved (hcti's "Test connection"):
// write a small text object under `<prefix>/.pixelfarm/connection-tests/`, then delete it
// best-effort. Writing is what every render needs; deleting is not (a store may grant
// s3:PutObject alone), so a failed delete leaves the object and still passes.
import { randomUUID } from 'node:crypto';
import type { S3DestinationTarget } from './s3-destination-target';

export const CONNECTION_TEST_FOLDER = '.pixelfarm/connection-tests';

export interface ConnectionTestResult {
  /** The key of the test object. */
  key: string;
  /** Whether the test object was deleted afterwards. */
  cleaned_up: boolean;
}

/** Writes and deletes the test object; throws DestinationError (its message says what failed) when the write fails. */
export async function runConnectionTest(target: Pick<S3DestinationTarget, 'key' | 'put' | 'delete'>, now: Date = new Date()): Promise<ConnectionTestResult> {
  const key = target.key(`${CONNECTION_TEST_FOLDER}/${randomUUID()}.txt`);
  await target.put(key, Buffer.from(`pixelfarm connection test, ${now.toISOString()}\n`), 'text/plain; charset=utf-8');
  try {
    await target.delete(key);
    return { key, cleaned_up: true };
  } catch {
    return { key, cleaned_up: false };
  }
}
