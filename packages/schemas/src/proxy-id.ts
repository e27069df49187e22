// Ids of accounts' own upstream proxies: "px-" and a random UUID. The shape tells a proxy_id
// naming an account's proxy from one naming an operator's (PROXIES).
import { randomUUID } from 'node:crypto';

export const ACCOUNT_PROXY_ID_PATTERN = /^px-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newAccountProxyId(): string {
  return `px-${randomUUID()}`;
}

export function isAccountProxyId(value: string | undefined): value is string {
  return value !== undefined && ACCOUNT_PROXY_ID_PATTERN.test(value);
}
