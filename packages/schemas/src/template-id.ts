// Template ids: "t-" and a random UUID, the shape clients of the hosted API already expect.
import { randomUUID } from 'node:crypto';

export const TEMPLATE_ID_PATTERN = /^t-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newTemplateId(): string {
  return `t-${randomUUID()}`;
}

export function isTemplateId(value: string): boolean {
  return TEMPLATE_ID_PATTERN.test(value);
}
