// ioredis options per role, following BullMQ's production guidance:
// producers fail fast while Redis is down; blocking consumers retry forever.
import type { RedisOptions } from 'ioredis';

export type ConnectionRole = 'producer' | 'consumer';

export function redisOptions(url: string, role: ConnectionRole): RedisOptions {
  const u = new URL(url);
  const auth = {
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  };
  // unix:///run/redis.sock?db=2: a Redis beside the process (a sidecar, or one shared across
  // network namespaces, which a socket file crosses and a TCP port does not).
  const base: RedisOptions =
    u.protocol === 'unix:'
      ? { ...auth, path: decodeURIComponent(u.pathname), db: Number(u.searchParams.get('db') ?? 0) }
      : {
          ...auth,
          host: u.hostname.replace(/^\[|\]$/g, ''),
          port: u.port ? Number(u.port) : 6379,
          db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
          tls: u.protocol === 'rediss:' ? {} : undefined,
        };
  return role === 'producer'
    ? { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
    : { ...base, maxRetriesPerRequest: null };
}
