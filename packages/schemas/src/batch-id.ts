// Bulk job ids: "b-" and a UUIDv7 (time-ordered), checked before they name any stored object.
import { v7 as uuidv7 } from 'uuid';

const BATCH_ID_PATTERN = /^b-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function newBatchId(): string {
  return `b-${uuidv7()}`;
}

export function isBatchId(value: string): boolean {
  return BATCH_ID_PATTERN.test(value);
}
