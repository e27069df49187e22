// ioredis options per role, following BullMQ's production guidance:
// producers fail fast while Redis is down; blocking consumers retry forever.
import type { RedisOptions } from 'ioredis';

export type ConnectionRole = 'producer' | 'consumer';

export function redisOptions(url: string, role: ConnectionRole): RedisOptions {
  const u = new URL(url);
  const base: RedisOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
  return role === 'producer'
    ? { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
    : { ...base, maxRetriesPerRequest: null };
}
