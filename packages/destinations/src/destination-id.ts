// Storage destination ids: "sd-" and a random UUID.
import { randomUUID } from 'node:crypto';

export const DESTINATION_ID_PATTERN = /^sd-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newDestinationId(): string {
  return `sd-${randomUUID()}`;
}

export function isDestinationId(value: string): boolean {
  return DESTINATION_ID_PATTERN.test(value);
}
