// Image ids: UUIDv7, fixed when the request is accepted, used as job id and storage prefix.
import { v7 as uuidv7 } from 'uuid';

// Any RFC 9562 UUID shape, lowercase: v7 for created images; content-derived ids (signed URLs)
// use other versions. Anything else never reaches storage, so ids cannot traverse paths.
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function newImageId(): string {
  return uuidv7();
}

export function isImageId(value: string): boolean {
  return ID_PATTERN.test(value);
}
